"""What authgen needs to know about one identity provider.

Every place that used to ask ``if provider == "cognito" ... elif "auth0"``
asks the provider's entry instead (``providers.get(spec.provider)``), so a
new provider is one new module in this package plus one line in the
registry (``providers/__init__.py``), not a branch at every call site.

An entry answers for each pipeline step:

* spec: which section of the spec holds its settings (``section``), which
  key of that section holds the API identifier and scopes (``api_key``),
  how a scope reads in tokens (``scope_string``), which defaults derive
  from the gateway and environment names, whether it needs ``region`` or
  takes ``endpoint_url``;
* render: the Terraform module and templates it renders with and the
  values of ``terraform.tfvars.json`` (``tfvars``), and the few of them that
  say where the environment lives (``provider_values``: kept in its record);
  a provider without Terraform resources (``module`` None, ``oidc``) gives
  the values of the module output contract from the spec instead
  (``spec_outputs``);
* authorizer: the members that say which tokens are accepted
  (``allowedClients`` or ``allowedAudience``), from the module outputs;
* token: the client_credentials request for one of its clients;
* verify: diagnoses of its known pitfalls for failing rows (``advisor``);
* people: the one-line description ``validate`` prints, and the lines
  ``make demo`` prints about what was made;
* day 2: which resource types ``protected: true`` guards against deletion
  and replacement (``guarded``) and which deletions the provider itself
  refuses (``deletion_blocked``); where an environment lives (``location``,
  recorded in the state) and the spec pointed back there (``relocated``);
  the objects at the provider that the state does not hold (``leftovers``,
  ``delete_leftover``).

Entries hold no state and import nothing heavy: ``spec.py`` imports the
registry while loading, and ``authgen validate`` must start fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from generator.leftovers import Leftover, StateResource
    from generator.spec import Spec
    from generator.tokens import ClientCredentials


class Provider(Protocol):
    """One identity provider (see the module docstring for who asks what)."""

    #: The ``provider:`` value of a spec, e.g. ``"cognito"``.
    name: str
    #: The provider's name in messages, e.g. ``"Cognito"``.
    title: str
    #: The spec key (and ``Spec`` attribute) holding its settings.
    section: str
    #: Key of ``section`` holding ``identifier`` and ``scopes`` (``None``: no API of its own).
    api_key: str | None
    #: Longest full scope string the provider accepts (``None``: no limit of its own).
    max_scope_length: int | None
    #: ``region`` is required.
    needs_region: bool
    #: ``endpoint_url`` / ``AUTHGEN_ENDPOINT_URL`` (a local emulator) apply to it.
    takes_endpoint_url: bool
    #: Its reusable Terraform module, relative to the project (``None``: no
    #: Terraform resources; plan / apply check discovery and write the
    #: authorizer file from ``spec_outputs``).
    module: str | None
    #: Its directory under ``templates/`` (``None`` with ``module`` None).
    templates: str | None
    #: The members ``authorizer_members`` yields, e.g. ``("allowedClients",)``; the
    #: spec's ``allowed_clients`` / ``allowed_audience`` may narrow only these.
    authorizer_keys: tuple[str, ...]
    #: Resource types ``protected: true`` keeps from being deleted or replaced
    #: (unless ``apply --allow-replace``), and what each is called in messages.
    guarded: Mapping[str, str]

    def scope_string(self, identifier: str, scope: str) -> str:
        """A scope as tokens carry it (and as ``allowed_scopes`` names it)."""
        ...

    def derived_defaults(self, gateway: str, name: str) -> dict[str, str]:
        """Keys of ``section`` that default to values derived from the
        gateway and environment names (filled in before validation)."""
        ...

    def tfvars(self, spec: Spec) -> dict[str, Any]:
        """Every value the rendered root module takes (``terraform.tfvars.json``)."""
        ...

    def provider_values(self, spec: Spec) -> dict[str, Any]:
        """Where the environment lives, as the ``terraform.tfvars.json`` values
        its provider block takes besides ``endpoint_url`` (a region, a tenant
        domain); no secrets. Kept in the environment record, so that the
        environment can be destroyed without its spec (``render.recovery``)."""
        ...

    def spec_outputs(self, spec: Spec) -> dict[str, Any] | None:
        """Without a Terraform module: the module-output-contract values the
        spec itself gives (``discovery_url``, ``audiences``, ``client_ids``, and
        ``token_endpoint`` when known without discovery); ``None`` for a
        provider whose outputs come from Terraform."""
        ...

    def authorizer_members(self, outputs: Mapping[str, Any]) -> dict[str, list[str]]:
        """The members of ``customJWTAuthorizer`` that say which tokens are
        accepted (``allowedClients`` / ``allowedAudience``), from the plain
        Terraform outputs; ``AuthorizerError`` when the outputs lack them."""
        ...

    def client_names(self, spec: Spec) -> list[str]:
        """The names of the spec's clients, in spec order (the first is the default)."""
        ...

    def token_request(
        self,
        spec: Spec,
        client: str | None,
        *,
        token_endpoint: str,
        client_id: str,
        client_secret: str,
    ) -> ClientCredentials:
        """How to get a token for ``client`` (a name from ``client_names``, or
        ``None`` for a client given by id only): scopes, audience."""
        ...

    def advisor(self, spec: Spec) -> Callable[..., Any] | None:
        """``advise(row, *, members, discovery, claims) -> row``: verify's
        failing rows with this provider's fix (``None``: verify's own wording)."""
        ...

    def describe(self, spec: Spec) -> str:
        """Where the environment lives, for ``validate``'s one line (a region, a tenant)."""
        ...

    def claim_problem(self, name: str) -> str | None:
        """Why the provider will not put claim ``name`` (of ``clients[].claims``)
        into an access token, or None."""
        ...

    def claims_problems(self, section: Mapping[str, Any]) -> list[tuple[tuple, str]]:
        """``(key path, message)`` for what the provider's way of adding
        claims needs of the raw ``section`` (e.g. Cognito's feature tier)."""
        ...

    def made(self, spec: Spec, authorizer: Mapping[str, Any]) -> list[str]:
        """What an apply of ``spec`` made, one line each, for people (``make
        demo``); ``authorizer`` is the ``customJWTAuthorizer`` object written."""
        ...

    def deletion_blocked(self, resource_type: str, before: Mapping[str, Any]) -> str | None:
        """Why the provider would refuse to delete this object as it is now
        (``before``: its attributes in the state), or None. A plan deleting it
        would fail half-way, after its dependents are gone."""
        ...

    def location(self, spec: Spec) -> dict[str, str]:
        """Where the environment lives as the spec says (``provider`` plus
        e.g. ``region`` / ``endpoint`` or ``domain``), recorded in the state
        (``generator.location``)."""
        ...

    def relocated(self, spec: Spec, place: Mapping[str, str]) -> Spec:
        """``spec`` pointed at a recorded ``place`` (what ``destroy`` uses to
        destroy an environment where it lives, not where the spec moved it)."""
        ...

    def leftovers(self, spec: Spec, resources: list[StateResource]) -> list[Leftover]:
        """Objects of this environment at the provider that the state
        (``resources``) does not hold; ``AuthgenError`` when they cannot be listed."""
        ...

    def delete_leftover(self, spec: Spec, leftover: Leftover) -> None:
        """Delete one object ``leftovers`` reported."""
        ...


def section_of(provider: Provider, spec: Spec) -> Any:
    """The spec's settings section of ``provider`` (``spec.cognito``, ...)."""
    return getattr(spec, provider.section)


def full_scopes(provider: Provider, spec: Spec) -> list[str]:
    """Every scope the spec defines, as tokens carry it (empty without an API)."""
    if provider.api_key is None:
        return []
    api = getattr(section_of(provider, spec), provider.api_key)
    return [provider.scope_string(api.identifier, s.name) for s in api.scopes]


def client_vars(client: Any) -> dict[str, Any]:
    """One ``clients`` entry of the modules' input. Terraform types a map's
    values alike, so a client's claims go in two maps: ``claims`` (name ->
    string) and ``list_claims`` (name -> list of strings), each left out
    when empty."""
    data = client.model_dump(exclude={"claims"})
    strings = {k: v for k, v in client.claims.items() if isinstance(v, str)}
    lists = {k: list(v) for k, v in client.claims.items() if not isinstance(v, str)}
    if strings:
        data["claims"] = strings
    if lists:
        data["list_claims"] = lists
    return data


def claims_by_client(clients: Any) -> dict[str, dict[str, Any]]:
    """The raw ``clients`` list's claims as the modules hand them to their
    trigger / Action: ``{name: {"claims": {...}, "list_claims": {...}}}``."""
    config = {}
    for c in clients if isinstance(clients, list) else []:
        if isinstance(c, dict) and isinstance(c.get("claims"), dict) and c["claims"]:
            claims = c["claims"]
            config[str(c.get("name"))] = {
                "claims": {k: v for k, v in claims.items() if isinstance(v, str)},
                "list_claims": {k: v for k, v in claims.items() if not isinstance(v, str)},
            }
    return config
