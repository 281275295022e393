"""Any OpenID Connect provider (Okta, Microsoft Entra ID, Keycloak, Ping, a
corporate server): ``provider: oidc``.

authgen creates nothing at such a provider: the identity provider, its
clients and their secrets already exist. The environment names where its
discovery document is (``oidc.discovery_url`` or a preset, see
``oidc_presets``) and which tokens the Gateway accepts: ``audiences``
(matched against ``aud``: ``allowedAudience``) and ``clients`` (matched
against ``client_id``: ``allowedClients``). There is no Terraform module:
``plan`` and ``apply`` fetch the discovery document and JWKS, check them, and
write the authorizer file (see ``generator.direct``).

The values a Terraform module would output come from the spec instead
(``spec_outputs``): ``discovery_url``, ``audiences`` and ``client_ids``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from generator.errors import AuthorizerError
from generator.providers import oidc_presets

if TYPE_CHECKING:
    from generator.leftovers import Leftover, StateResource
    from generator.spec import Spec
    from generator.tokens import ClientCredentials


class Oidc:
    """The ``oidc`` entry of the provider registry."""

    name = "oidc"
    title = "OIDC"
    section = "oidc"
    api_key = None
    max_scope_length = None
    needs_region = False
    takes_endpoint_url = False
    module = None
    templates = None
    #: What ``authorizer_members`` yields (the spec may narrow it).
    authorizer_keys = ("allowedAudience", "allowedClients")
    #: Nothing is created at the provider, so nothing is guarded.
    guarded: dict[str, str] = {}

    def scope_string(self, identifier: str, scope: str) -> str:
        """The scope as it is (authgen defines no scopes at this provider)."""
        return scope

    def derived_defaults(self, gateway: str, name: str) -> dict[str, str]:
        """None."""
        return {}

    def tfvars(self, spec: Spec) -> dict[str, Any]:
        """None: nothing is rendered for Terraform."""
        return {}

    def spec_outputs(self, spec: Spec) -> dict[str, Any]:
        """``discovery_url`` (written or derived by the preset), ``audiences``
        and ``client_ids`` (each id under its own name) from the spec, and
        ``token_endpoint`` where the preset fixes it (Entra's v2.0 endpoint;
        otherwise the discovery document names it)."""
        section = spec.oidc
        assert section is not None
        preset = oidc_presets.preset_of(section)
        outputs: dict[str, Any] = {
            "discovery_url": preset.discovery_url(section),
            "audiences": list(section.audiences or []),
            "client_ids": {client: client for client in section.clients or []},
        }
        token_endpoint = preset.token_endpoint(section)
        if token_endpoint:
            outputs["token_endpoint"] = token_endpoint
        return outputs

    def authorizer_members(self, outputs: Mapping[str, Any]) -> dict[str, list[str]]:
        """``allowedAudience`` from ``audiences`` and ``allowedClients`` from
        ``client_ids``, whichever the spec lists, sorted."""
        members: dict[str, list[str]] = {}
        audiences = outputs.get("audiences")
        if isinstance(audiences, list) and audiences:
            members["allowedAudience"] = sorted({str(a) for a in audiences})
        ids = outputs.get("client_ids")
        if isinstance(ids, Mapping) and ids:
            members["allowedClients"] = sorted({str(v) for v in ids.values()})
        if not members:
            raise AuthorizerError(
                "oidc: neither audiences nor clients are listed; add oidc.audiences (aud) or "
                "oidc.clients (client_id)"
            )
        return members

    def client_names(self, spec: Spec) -> list[str]:
        """None: authgen holds no credentials of an oidc provider's clients
        (``--client-id`` with ``AUTHGEN_CLIENT_SECRET``)."""
        return []

    def token_request(
        self,
        spec: Spec,
        client: str | None,
        *,
        token_endpoint: str,
        client_id: str,
        client_secret: str,
    ) -> ClientCredentials:
        """A form POST (HTTP Basic client authentication); scope and audience
        as the preset says (Entra: ``<first audience>/.default``; a plain
        discovery URL: the first audience as ``audience``)."""
        from generator.tokens import ClientCredentials

        section = spec.oidc
        assert section is not None
        scopes, audience = oidc_presets.preset_of(section).token_defaults(section)
        return ClientCredentials(
            self.name, token_endpoint, client_id, client_secret, scopes=scopes, audience=audience
        )

    def advisor(self, spec: Spec) -> oidc_presets.Advisor | None:
        """Diagnoses of this provider's known pitfalls for verify's rows."""
        assert spec.oidc is not None
        return oidc_presets.advisor(spec.oidc)

    def describe(self, spec: Spec) -> str:
        """The provider (preset) and where it is."""
        assert spec.oidc is not None
        return oidc_presets.preset_of(spec.oidc).describe(spec.oidc)

    def claim_problem(self, name: str) -> str | None:
        """None: authgen adds no claims at an oidc provider (no ``clients[].claims``)."""
        return None

    def claims_problems(self, section: Mapping[str, Any]) -> list[tuple[tuple, str]]:
        """None: no claims are added here."""
        return []

    def provider_values(self, spec: Spec) -> dict[str, Any]:
        """None: there is no provider block."""
        return {}

    def deletion_blocked(self, resource_type: str, before: Mapping[str, Any]) -> str | None:
        """None: there are no resources."""
        return None

    def location(self, spec: Spec) -> dict[str, str]:
        """The discovery URL (no state records it: there is no Terraform)."""
        outputs = self.spec_outputs(spec)
        return {"provider": self.name, "discovery_url": str(outputs["discovery_url"])}

    def relocated(self, spec: Spec, place: Mapping[str, str]) -> Spec:
        """The spec itself: nothing lives at the provider on authgen's behalf."""
        return spec

    def leftovers(self, spec: Spec, resources: list[StateResource]) -> list[Leftover]:
        """None: authgen creates nothing at an oidc provider."""
        return []

    def delete_leftover(self, spec: Spec, leftover: Leftover) -> None:
        """Never called: ``leftovers`` reports none."""
        raise AssertionError("an oidc environment has no leftovers")

    def made(self, spec: Spec, authorizer: Mapping[str, Any]) -> list[str]:
        """Nothing is made at the provider: the discovery URL and the callers."""
        lines = [f"discovery URL: {authorizer.get('discoveryUrl')}"]
        for member in ("allowedAudience", "allowedClients"):
            if authorizer.get(member):
                lines.append(f"{member}: {', '.join(authorizer[member])}")
        return lines


PROVIDER = Oidc()
