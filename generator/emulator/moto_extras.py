"""What moto's Cognito lacks for authgen, added to its backend in process.

moto 5.2 implements CreateResourceServer, DescribeResourceServer and
ListResourceServers but not DeleteResourceServer or UpdateResourceServer, so
``terraform destroy`` of a Cognito environment fails on the resource server
against stock moto (and a scope change cannot be applied). It has no
TagResource / UntagResource for Cognito either, and its UpdateUserPool drops
the pool's tags (it resets the pool's settings to defaults plus the request,
and the AWS provider sends tags separately), so the next apply that touches
the pool (e.g. --force turning deletion protection off) fails on TagResource.

``add_missing_operations`` adds exactly those four operations to moto's
Cognito backend and response class, gives pools Cognito's default feature
plan (UserPoolTier ESSENTIALS) and keeps it across UpdateUserPool as Cognito
does. Everything else is moto as shipped. Operations a newer moto has are
left as moto has them.

It also adds three refusals Cognito makes and moto 5.2 does not
(``enforce_cognito_rules``), so that what fails against Cognito fails here
too (the day-2 tests depend on them): DeleteUserPool fails while the pool's
DeletionProtection is ACTIVE, and while a domain is still attached to it
(InvalidParameterException, as Cognito); CreateUserPoolClient /
UpdateUserPoolClient fail with ScopeDoesNotExistException when
AllowedOAuthScopes names a custom scope no resource server of the pool
declares.
"""

from __future__ import annotations

from typing import Any


def add_missing_operations() -> None:
    """DeleteResourceServer, UpdateResourceServer, TagResource and UntagResource
    (user pools), with the errors Cognito gives; the default feature plan."""
    from moto.cognitoidp.exceptions import ResourceNotFoundError
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoResourceServer
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import ActionResult, EmptyResult

    if getattr(CognitoIdpBackend, "_authgen_extras", False):
        return

    def _resource_server(backend: Any, user_pool_id: str, identifier: str) -> Any:
        # describe_resource_server raises ResourceNotFoundError for a missing
        # pool or resource server, as Cognito does.
        return backend.describe_resource_server(user_pool_id, identifier)

    def delete_resource_server(self: Any, user_pool_id: str, identifier: str) -> None:
        _resource_server(self, user_pool_id, identifier)
        del self.user_pools[user_pool_id].resource_servers[identifier]

    def update_resource_server(
        self: Any, user_pool_id: str, identifier: str, name: str, scopes: list[dict[str, str]]
    ) -> Any:
        _resource_server(self, user_pool_id, identifier)
        server = CognitoResourceServer(user_pool_id, identifier, name, scopes)
        self.user_pools[user_pool_id].resource_servers[identifier] = server
        return server

    def delete_resource_server_response(self: Any) -> Any:
        self.backend.delete_resource_server(
            self._get_param("UserPoolId"), self._get_param("Identifier")
        )
        return EmptyResult()

    def update_resource_server_response(self: Any) -> Any:
        server = self.backend.update_resource_server(
            self._get_param("UserPoolId"),
            self._get_param("Identifier"),
            self._get_param("Name"),
            self._get_param("Scopes") or [],
        )
        return ActionResult({"ResourceServer": server.to_json()})

    def _pool_by_arn(backend: Any, arn: str) -> Any:
        for pool in backend.user_pools.values():
            if pool.arn == arn:
                return pool
        raise ResourceNotFoundError(f"User pool {arn} does not exist.")

    def tag_resource(self: Any, arn: str, tags: dict[str, str]) -> None:
        pool = _pool_by_arn(self, arn)
        pool.extended_config["UserPoolTags"] = {
            **(pool.extended_config.get("UserPoolTags") or {}),
            **tags,
        }

    def untag_resource(self: Any, arn: str, keys: list[str]) -> None:
        pool = _pool_by_arn(self, arn)
        tags = pool.extended_config.get("UserPoolTags") or {}
        pool.extended_config["UserPoolTags"] = {k: v for k, v in tags.items() if k not in keys}

    def tag_resource_response(self: Any) -> Any:
        self.backend.tag_resource(self._get_param("ResourceArn"), self._get_param("Tags") or {})
        return EmptyResult()

    def untag_resource_response(self: Any) -> Any:
        self.backend.untag_resource(
            self._get_param("ResourceArn"), self._get_param("TagKeys") or []
        )
        return EmptyResult()

    # Cognito gives a new pool the ESSENTIALS feature plan when the request
    # names none (the AWS provider leaves the default out) and keeps the plan
    # across UpdateUserPool; stock moto returns no UserPoolTier, so every plan
    # after an apply would show an update.
    original_create_user_pool = CognitoIdpBackend.create_user_pool
    original_update_user_pool = CognitoIdpBackend.update_user_pool

    def create_user_pool(self: Any, name: str, extended_config: dict[str, Any]) -> Any:
        return original_create_user_pool(
            self, name, {"UserPoolTier": "ESSENTIALS", **(extended_config or {})}
        )

    def update_user_pool(self: Any, user_pool_id: str, extended_config: dict[str, Any]) -> None:
        tier = self.describe_user_pool(user_pool_id).extended_config.get("UserPoolTier")
        original_update_user_pool(
            self, user_pool_id, {"UserPoolTier": tier, **(extended_config or {})}
        )

    CognitoIdpBackend.create_user_pool = create_user_pool
    CognitoIdpBackend.update_user_pool = update_user_pool

    for cls, name, func in (
        (CognitoIdpBackend, "delete_resource_server", delete_resource_server),
        (CognitoIdpBackend, "update_resource_server", update_resource_server),
        (CognitoIdpBackend, "tag_resource", tag_resource),
        (CognitoIdpBackend, "untag_resource", untag_resource),
        (CognitoIdpResponse, "delete_resource_server", delete_resource_server_response),
        (CognitoIdpResponse, "update_resource_server", update_resource_server_response),
        (CognitoIdpResponse, "tag_resource", tag_resource_response),
        (CognitoIdpResponse, "untag_resource", untag_resource_response),
    ):
        if not hasattr(cls, name):  # a newer moto may have it: keep moto's own
            setattr(cls, name, func)
    enforce_cognito_rules()
    CognitoIdpBackend._authgen_extras = True


#: Scopes Cognito itself defines; every other allowed scope must belong to a
#: resource server of the pool.
STANDARD_SCOPES = frozenset(
    {"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"}
)


def enforce_cognito_rules() -> None:
    """DeleteUserPool refused under deletion protection or with a domain
    attached; app clients refused scopes that no resource server declares."""
    from moto.cognitoidp.exceptions import InvalidParameterException
    from moto.cognitoidp.models import CognitoIdpBackend
    from moto.core.exceptions import JsonRESTError

    class ScopeDoesNotExistException(JsonRESTError):
        def __init__(self, message: str):
            super().__init__("ScopeDoesNotExistException", message)

    original_delete_user_pool = CognitoIdpBackend.delete_user_pool
    original_create_client = CognitoIdpBackend.create_user_pool_client
    original_update_client = CognitoIdpBackend.update_user_pool_client

    def delete_user_pool(self: Any, user_pool_id: str) -> None:
        pool = self.describe_user_pool(user_pool_id)
        if pool.extended_config.get("DeletionProtection") == "ACTIVE":
            raise InvalidParameterException(
                f"The user pool {user_pool_id} cannot be deleted because deletion protection "
                "is activated. Deletion protection must be inactivated first."
            )
        if any(d.user_pool_id == user_pool_id for d in self.user_pool_domains.values()):
            raise InvalidParameterException(
                "User pool cannot be deleted. It has a domain configured that should be "
                "deleted first."
            )
        original_delete_user_pool(self, user_pool_id)

    def _check_scopes(backend: Any, user_pool_id: str, config: dict[str, Any]) -> None:
        pool = backend.describe_user_pool(user_pool_id)
        declared = {
            f"{server.identifier}/{scope['ScopeName']}"
            for server in pool.resource_servers.values()
            for scope in server.scopes or []
        }
        for scope in config.get("AllowedOAuthScopes") or []:
            if scope not in STANDARD_SCOPES and scope not in declared:
                raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")

    def create_user_pool_client(
        self: Any, user_pool_id: str, generate_secret: bool, extended_config: dict[str, Any]
    ) -> Any:
        _check_scopes(self, user_pool_id, extended_config)
        return original_create_client(self, user_pool_id, generate_secret, extended_config)

    def update_user_pool_client(
        self: Any, user_pool_id: str, client_id: str, extended_config: dict[str, Any]
    ) -> Any:
        _check_scopes(self, user_pool_id, extended_config)
        return original_update_client(self, user_pool_id, client_id, extended_config)

    CognitoIdpBackend.delete_user_pool = delete_user_pool
    CognitoIdpBackend.create_user_pool_client = create_user_pool_client
    CognitoIdpBackend.update_user_pool_client = update_user_pool_client
