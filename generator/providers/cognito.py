"""Amazon Cognito: a user pool, a resource server with scopes, app clients
with a secret and the ``client_credentials`` flow, a hosted domain
(``modules/cognito`` through hashicorp/aws).

Cognito access tokens carry ``client_id`` and no ``aud``, so the authorizer
accepts them by ``allowedClients``; scopes read ``<identifier>/<name>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from generator import rules
from generator.errors import AuthorizerError
from generator.providers.base import claims_by_client, client_vars

if TYPE_CHECKING:
    from generator.leftovers import Leftover, StateResource
    from generator.spec import Spec
    from generator.tokens import ClientCredentials


def derived_domain_prefix(gateway: str, name: str) -> str:
    """``<gateway>-<name>`` in the characters a Cognito domain prefix allows."""
    prefix = re.sub(r"[^a-z0-9-]+", "-", f"{gateway}-{name}".lower())
    return re.sub(r"-{2,}", "-", prefix).strip("-")


def default_tags(spec: Spec) -> dict[str, str]:
    """The tags on every AWS resource: authgen's own, then the spec's ``tags``."""
    return {
        "ManagedBy": "authgen",
        "AuthgenEnvironment": spec.name,
        "AuthgenGateway": spec.gateway,
        **spec.tags,
    }


class Cognito:
    """The ``cognito`` entry of the provider registry."""

    name = "cognito"
    title = "Cognito"
    section = "cognito"
    api_key = "resource_server"
    #: AllowedOAuthScopes items: at most 256 characters.
    max_scope_length = 256
    needs_region = True
    takes_endpoint_url = True
    module = "modules/cognito"
    templates = "cognito"
    #: What ``authorizer_members`` yields (the spec may narrow it).
    authorizer_keys = ("allowedClients",)
    #: What ``protected: true`` keeps from being deleted or replaced.
    guarded = {
        "aws_cognito_user_pool": "user pool",
        "aws_cognito_user_pool_client": "app client",
        "aws_cognito_user_pool_domain": "domain",
        "aws_cognito_resource_server": "resource server",
    }

    def scope_string(self, identifier: str, scope: str) -> str:
        """``<resource server identifier>/<scope name>``."""
        return f"{identifier}/{scope}"

    def derived_defaults(self, gateway: str, name: str) -> dict[str, str]:
        """``user_pool_name`` and ``domain_prefix`` from ``<gateway>-<name>``."""
        return {
            "user_pool_name": f"{gateway}-{name}",
            "domain_prefix": derived_domain_prefix(gateway, name),
        }

    def tfvars(self, spec: Spec) -> dict[str, Any]:
        """Region, emulator endpoint, tags and the pool, resource server and clients."""
        c = spec.cognito
        assert c is not None
        return {
            "region": spec.region,
            "endpoint_url": spec.endpoint_url,
            "default_tags": default_tags(spec),
            "user_pool_name": c.user_pool_name,
            "domain_prefix": c.domain_prefix,
            "feature_tier": c.feature_tier,
            "deletion_protection": spec.protected,
            "resource_server": c.resource_server.model_dump(),
            "clients": [client_vars(client) for client in c.clients],
        }

    def spec_outputs(self, spec: Spec) -> None:
        """None: the outputs come from Terraform."""
        return None

    def provider_values(self, spec: Spec) -> dict[str, Any]:
        """The AWS region."""
        return {"region": spec.region}

    def authorizer_members(self, outputs: Mapping[str, Any]) -> dict[str, list[str]]:
        """``allowedClients``: the app client ids, sorted."""
        ids = outputs.get("client_ids")
        if not isinstance(ids, Mapping) or not ids:
            raise AuthorizerError(
                "outputs: client_ids is missing or empty; the spec needs at least one client "
                "under cognito.clients, then apply again"
            )
        return {"allowedClients": sorted({str(v) for v in ids.values()})}

    def client_names(self, spec: Spec) -> list[str]:
        """``cognito.clients[].name``."""
        assert spec.cognito is not None
        return [c.name for c in spec.cognito.clients]

    def token_request(
        self,
        spec: Spec,
        client: str | None,
        *,
        token_endpoint: str,
        client_id: str,
        client_secret: str,
    ) -> ClientCredentials:
        """HTTP Basic form POST asking for the client's scopes as full strings."""
        from generator.tokens import ClientCredentials

        assert spec.cognito is not None
        rs = spec.cognito.resource_server
        granted = next((c.scopes for c in spec.cognito.clients if c.name == client), [])
        scopes = tuple(self.scope_string(rs.identifier, s) for s in granted)
        return ClientCredentials(self.name, token_endpoint, client_id, client_secret, scopes=scopes)

    def advisor(self, spec: Spec) -> None:
        """None: verify's rows word its pitfalls already."""
        return None

    def describe(self, spec: Spec) -> str:
        """The AWS region."""
        return spec.region or ""

    def claim_problem(self, name: str) -> str | None:
        """Claims Cognito sets itself cannot be added by a trigger."""
        if name in rules.COGNITO_RESERVED_CLAIMS or name.startswith(
            rules.COGNITO_RESERVED_PREFIXES
        ):
            return (
                f"claim {name!r} is reserved by Cognito (it sets such claims itself); a pre token "
                "generation trigger cannot add or override it: use another name"
            )
        return None

    def claims_problems(self, section: Mapping[str, Any]) -> list[tuple[tuple, str]]:
        """Claims need the V3_0 pre token generation trigger (ESSENTIALS or
        PLUS), which gets every client's claims in one Lambda environment
        variable (4 KB for all of them)."""
        clients = section.get("clients")
        config = claims_by_client(clients)
        if not config:
            return []
        problems = []
        if section.get("feature_tier") == "LITE":
            first = next(
                i
                for i, c in enumerate(clients)
                if isinstance(c, dict) and isinstance(c.get("claims"), dict) and c["claims"]
            )
            problems.append(
                (
                    ("cognito", "feature_tier"),
                    f"feature tier LITE cannot put claims into access tokens (cognito.clients"
                    f"[{first}].claims): the V3_0 pre token generation trigger needs ESSENTIALS "
                    "or PLUS; set feature_tier: ESSENTIALS or remove the claims",
                )
            )
        size = len(json.dumps(config, separators=(",", ":")).encode())
        if size > rules.LAMBDA_ENVIRONMENT_BYTES - 100:
            problems.append(
                (
                    ("cognito", "clients"),
                    f"the claims of all clients come to {size} bytes; the pre token generation "
                    f"trigger receives them in a Lambda environment variable (at most "
                    f"{rules.LAMBDA_ENVIRONMENT_BYTES} bytes in all): shorten or remove claims",
                )
            )
        return problems

    def deletion_blocked(self, resource_type: str, before: Mapping[str, Any]) -> str | None:
        """A user pool whose deletion protection is on: Cognito refuses to
        delete it, after terraform deleted everything that depends on it."""
        if (
            resource_type == "aws_cognito_user_pool"
            and before.get("deletion_protection") == "ACTIVE"
        ):
            return (
                "its deletion protection is on, and Cognito refuses to delete it: terraform "
                "would delete its clients, domain and resource server first, then fail"
            )
        return None

    def location(self, spec: Spec) -> dict[str, str]:
        """The region, and the endpoint when it is not AWS's."""
        place = {"provider": self.name, "region": spec.region or ""}
        if spec.endpoint_url:
            place["endpoint"] = spec.endpoint_url
        return place

    def relocated(self, spec: Spec, place: Mapping[str, str]) -> Spec:
        """``spec`` pointed at the recorded region and endpoint (a local
        emulator keeps the endpoint it has now: its port changes on restart)."""
        from generator.location import LOCAL_EMULATOR, normal

        endpoint = place.get("endpoint")
        emulated = normal("endpoint", endpoint) == normal("endpoint", spec.endpoint_url)
        if endpoint and emulated and normal("endpoint", endpoint) == LOCAL_EMULATOR:
            endpoint = spec.endpoint_url
        update = {"region": place.get("region") or spec.region, "endpoint_url": endpoint or None}
        return spec.evolve(**update)

    def leftovers(self, spec: Spec, resources: list[StateResource]) -> list[Leftover]:
        """App clients, resource servers and the domain in the state's pool
        but not in the state; pools tagged for this environment that are not
        the state's (see ``cognito_objects``); with claims, the trigger's
        function, role and log group that are not in the state (see
        ``cognito_trigger_objects``), in the order they can be deleted."""
        from generator.providers import cognito_objects, cognito_trigger_objects

        return cognito_objects.find(spec, resources) + cognito_trigger_objects.find(
            spec, self.tfvars(spec), resources
        )

    def delete_leftover(self, spec: Spec, leftover: Leftover) -> None:
        """Delete one object ``leftovers`` reported."""
        from generator.providers import cognito_objects, cognito_trigger_objects

        if leftover.kind in cognito_trigger_objects.KINDS:
            cognito_trigger_objects.delete(spec, leftover)
        else:
            cognito_objects.delete(spec, leftover)

    def made(self, spec: Spec, authorizer: Mapping[str, Any]) -> list[str]:
        """The user pool and domain, the resource server and scopes, the client ids."""
        assert spec.cognito is not None
        pool, rs = spec.cognito, spec.cognito.resource_server
        clients = authorizer.get("allowedClients") or []
        return [
            f"user pool {pool.user_pool_name!r}, domain prefix {pool.domain_prefix!r}",
            f"resource server {rs.identifier!r}, scopes: {', '.join(s.name for s in rs.scopes)}",
            f"app client ids (client_credentials, with a secret): {', '.join(clients)}",
            *(
                f"claims in {c.name}'s tokens (pre token generation trigger): "
                + ", ".join(
                    f"{k}={v if isinstance(v, str) else list(v)}" for k, v in c.claims.items()
                )
                for c in spec.cognito.clients
                if c.claims
            ),
        ]


PROVIDER = Cognito()
