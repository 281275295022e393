"""Auth0: an API (resource server) with permissions, machine-to-machine
applications and their client grants (``modules/auth0`` through auth0/auth0).

Auth0 access tokens carry ``aud`` (the API identifier), so the authorizer
accepts them by ``allowedAudience``; a token request must name that audience
or Auth0 answers with an opaque token. Scopes are the permission names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from generator import rules
from generator.errors import AuthorizerError
from generator.providers.base import client_vars

if TYPE_CHECKING:
    from generator.leftovers import Leftover, StateResource
    from generator.spec import Spec
    from generator.tokens import ClientCredentials


class Auth0:
    """The ``auth0`` entry of the provider registry."""

    name = "auth0"
    title = "Auth0"
    section = "auth0"
    api_key = "api"
    max_scope_length = None
    needs_region = False
    takes_endpoint_url = False
    module = "modules/auth0"
    templates = "auth0"
    #: What ``authorizer_members`` yields (the spec may narrow it).
    authorizer_keys = ("allowedAudience",)
    #: What ``protected: true`` keeps from being deleted or replaced.
    guarded = {
        "auth0_resource_server": "API",
        "auth0_client": "application",
        "auth0_client_grant": "client grant",
    }

    def scope_string(self, identifier: str, scope: str) -> str:
        """The permission name as it is."""
        return scope

    def derived_defaults(self, gateway: str, name: str) -> dict[str, str]:
        """None: every Auth0 key is written in the spec or has a fixed default."""
        return {}

    def tfvars(self, spec: Spec) -> dict[str, Any]:
        """The tenant domain, the API and the clients."""
        assert spec.auth0 is not None
        return {
            "domain": spec.auth0.domain,
            "api": spec.auth0.api.model_dump(),
            "clients": [client_vars(client) for client in spec.auth0.clients],
        }

    def spec_outputs(self, spec: Spec) -> None:
        """None: the outputs come from Terraform."""
        return None

    def provider_values(self, spec: Spec) -> dict[str, Any]:
        """The tenant domain."""
        assert spec.auth0 is not None
        return {"domain": spec.auth0.domain}

    def authorizer_members(self, outputs: Mapping[str, Any]) -> dict[str, list[str]]:
        """``allowedAudience``: the API identifier(s), sorted."""
        audiences = outputs.get("audiences")
        if isinstance(audiences, str):
            audiences = [audiences]
        if not isinstance(audiences, list) or not audiences:
            raise AuthorizerError(
                "outputs: audiences is missing or empty; the auth0 module outputs "
                "[api.identifier]; apply the environment again"
            )
        return {"allowedAudience": sorted({str(a) for a in audiences})}

    def client_names(self, spec: Spec) -> list[str]:
        """``auth0.clients[].name``."""
        assert spec.auth0 is not None
        return [c.name for c in spec.auth0.clients]

    def token_request(
        self,
        spec: Spec,
        client: str | None,
        *,
        token_endpoint: str,
        client_id: str,
        client_secret: str,
    ) -> ClientCredentials:
        """The client's permissions, with the API identifier as audience."""
        from generator.tokens import ClientCredentials

        assert spec.auth0 is not None
        granted = next((c.scopes for c in spec.auth0.clients if c.name == client), [])
        return ClientCredentials(
            self.name,
            token_endpoint,
            client_id,
            client_secret,
            scopes=tuple(granted),
            audience=spec.auth0.api.identifier,
        )

    def advisor(self, spec: Spec) -> None:
        """None: verify's rows word its pitfalls already."""
        return None

    def describe(self, spec: Spec) -> str:
        """The tenant domain."""
        assert spec.auth0 is not None
        return spec.auth0.domain

    def claim_problem(self, name: str) -> str | None:
        """Claims Auth0 restricts are dropped from tokens without an error."""
        if name in rules.AUTH0_RESTRICTED_CLAIMS:
            return (
                f"claim {name!r} is restricted by Auth0 (it would be left out of the token "
                f"silently): use another name, e.g. a namespaced 'https://example.com/{name}'"
            )
        for namespace in rules.AUTH0_RESERVED_NAMESPACES:
            if namespace in name:
                return f"claim {name!r} uses the {namespace} namespace, which Auth0 reserves"
        return None

    def claims_problems(self, section: Mapping[str, Any]) -> list[tuple[tuple, str]]:
        """An Action on credentials-exchange adds claims on every plan."""
        return []

    def deletion_blocked(self, resource_type: str, before: Mapping[str, Any]) -> str | None:
        """None: Auth0 has no deletion protection of its own."""
        return None

    def location(self, spec: Spec) -> dict[str, str]:
        """The tenant domain."""
        assert spec.auth0 is not None
        return {"provider": self.name, "domain": spec.auth0.domain}

    def relocated(self, spec: Spec, place: Mapping[str, str]) -> Spec:
        """``spec`` pointed at the recorded tenant."""
        assert spec.auth0 is not None
        domain = place.get("domain") or spec.auth0.domain
        return spec.evolve(auth0=spec.auth0.model_copy(update={"domain": domain}))

    def leftovers(self, spec: Spec, resources: list[StateResource]) -> list[Leftover]:
        """Applications named like the spec's clients, their grants for the
        API, and the API, that the state does not hold (see ``auth0_objects``)."""
        from generator.providers import auth0_objects

        return auth0_objects.find(spec, resources)

    def delete_leftover(self, spec: Spec, leftover: Leftover) -> None:
        """Delete one object ``leftovers`` reported."""
        from generator.providers import auth0_objects

        auth0_objects.delete(spec, leftover)

    def made(self, spec: Spec, authorizer: Mapping[str, Any]) -> list[str]:
        """The API and its permissions, the applications, the audience."""
        assert spec.auth0 is not None
        api = spec.auth0.api
        audiences = authorizer.get("allowedAudience") or []
        return [
            f"API {api.name!r}, permissions: {', '.join(s.name for s in api.scopes)}",
            "machine-to-machine applications (client_credentials): "
            + ", ".join(c.name for c in spec.auth0.clients),
            f"audience: {', '.join(audiences)}",
        ]


PROVIDER = Auth0()
