variable "domain" {
  description = "Bare host name of the Auth0 tenant that issues the tokens, for example dev-example.us.auth0.com (no scheme, no path). Use the domain the tokens' iss claim names."
  type        = string

  validation {
    condition     = length(var.domain) <= 253 && can(regex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$", var.domain))
    error_message = "domain must be a bare lower-case host name such as dev-example.us.auth0.com, without https:// or a path."
  }
}

variable "api" {
  description = "The Auth0 API (resource server): display name, identifier (the tokens' audience; cannot change once created), signing algorithm (RS256 or PS256), access-token lifetime in seconds (1-2592000, default 86400) and scopes."
  type = object({
    name           = string
    identifier     = string
    signing_alg    = optional(string, "RS256")
    token_lifetime = optional(number, 86400)
    scopes = list(object({
      name        = string
      description = string
    }))
  })

  validation {
    condition     = length(trimspace(var.api.name)) >= 1 && length(var.api.name) <= 200 && !can(regex("[<>]", var.api.name))
    error_message = "api.name must be 1-200 characters without < or > (for example gateway-api)."
  }

  validation {
    condition     = length(var.api.identifier) >= 1 && length(var.api.identifier) <= 600 && !can(regex("\\s", var.api.identifier))
    error_message = "api.identifier (the audience) must be 1-600 characters without whitespace, for example gateway123 or https://gateway.example.com/."
  }

  validation {
    condition     = contains(["RS256", "PS256"], var.api.signing_alg)
    error_message = "api.signing_alg must be RS256 or PS256: the gateway verifies tokens with the tenant's public keys, so symmetric HS256 cannot work."
  }

  validation {
    condition     = var.api.token_lifetime >= 1 && var.api.token_lifetime <= 2592000 && floor(var.api.token_lifetime) == var.api.token_lifetime
    error_message = "api.token_lifetime must be a whole number of seconds from 1 to 2592000 (30 days)."
  }

  validation {
    condition     = length(var.api.scopes) >= 1
    error_message = "api.scopes must list at least one scope; clients are granted scopes declared here."
  }

  validation {
    condition     = alltrue([for s in var.api.scopes : length(s.name) >= 1 && !can(regex("\\s", s.name))])
    error_message = "Each api.scopes[*].name must be non-empty and without whitespace (scopes travel space-separated), for example invoke:gateway."
  }

  validation {
    condition     = length(distinct([for s in var.api.scopes : s.name])) == length(var.api.scopes)
    error_message = "api.scopes names must be unique; remove the duplicate scope."
  }
}

variable "clients" {
  description = "Machine-to-machine applications, one per entry, keyed by name: each gets the client_credentials grant on the API with the listed scopes (names from api.scopes). claims (name -> string) and list_claims (name -> list of strings) are put into the client's access tokens by an Action on the credentials-exchange trigger."
  type = list(object({
    name        = string
    description = optional(string, "")
    scopes      = list(string)
    claims      = optional(map(string), {})
    list_claims = optional(map(list(string)), {})
  }))

  validation {
    condition     = length(var.clients) >= 1
    error_message = "clients must list at least one client: the gateway's authorizer needs an audience that some client can get tokens for."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(trimspace(c.name)) >= 1 && !can(regex("[<>]", c.name))])
    error_message = "Each clients[*].name must be non-empty and must not contain < or > (for example gateway-m2m)."
  }

  validation {
    condition     = length(distinct([for c in var.clients : c.name])) == length(var.clients)
    error_message = "clients names must be unique; each name becomes one application."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.description) <= 140])
    error_message = "Each clients[*].description must be at most 140 characters."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.scopes) >= 1 && length(distinct(c.scopes)) == length(c.scopes)])
    error_message = "Each client must list at least one scope, without duplicates."
  }

  validation {
    condition = alltrue([
      for c in var.clients : alltrue([
        for name in concat(keys(c.claims), keys(c.list_claims)) :
        can(regex("^[A-Za-z0-9_./:]{1,255}$", name))
      ])
    ])
    error_message = "Each claim name in clients[*].claims and list_claims must be 1-255 letters, digits, '_', '.', '/' or ':' (the names the gateway's customClaims can check), for example https://example.com/department."
  }

  validation {
    condition = alltrue([
      for c in var.clients : alltrue([
        for name in concat(keys(c.claims), keys(c.list_claims)) :
        !can(regex("auth0\\.com|webtask\\.io|webtask\\.run", name)) && !contains(["acr", "act", "active", "amr", "at_hash", "ath", "attest", "aud", "auth_time", "authorization_details", "azp", "c_hash", "client_id", "cnf", "cty", "dest", "entitlements", "events", "exp", "groups", "gty", "htm", "htu", "iat", "internalService", "iss", "jcard", "jku", "jti", "jwe", "jwk", "kid", "may_act", "mky", "nbf", "nonce", "object_id", "org_id", "org_name", "orig", "origid", "permissions", "roles", "rph", "s_hash", "sid", "sip_callid", "sip_cseq_num", "sip_date", "sip_from_tag", "sip_via_branch", "sub", "sub_jwk", "toe", "txn", "typ", "uuid", "vot", "vtm", "x5t#S256"], name)
      ])
    ])
    error_message = "A claim name in clients[*].claims or list_claims is one Auth0 restricts (iss, sub, aud, groups, roles, permissions, ..., or an auth0.com / webtask namespace); Auth0 would leave it out of the token: use another name, e.g. https://example.com/groups."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(setintersection(keys(c.claims), keys(c.list_claims))) == 0])
    error_message = "A claim name appears in both clients[*].claims and list_claims of one client; keep it in one of them."
  }

  validation {
    condition = alltrue([
      for c in var.clients : alltrue(concat(
        [for v in values(c.claims) : length(v) >= 1 && length(v) <= 1024],
        [for l in values(c.list_claims) : length(l) >= 1 && length(l) <= 50 && alltrue([for v in l : length(v) >= 1 && length(v) <= 1024])],
      ))
    ])
    error_message = "Claim values must be 1-1024 characters, and each list in clients[*].list_claims must hold 1-50 of them."
  }
}

variable "claims_action_name" {
  description = "Name of the Action that puts clients[].claims into access tokens (created only when some client has claims; Action names are unique in a tenant). Default: \"<api.name> claims\"."
  type        = string
  default     = null

  validation {
    condition     = var.claims_action_name == null ? true : length(trimspace(var.claims_action_name)) >= 1 && length(var.claims_action_name) <= 100
    error_message = "claims_action_name must be 1-100 characters."
  }
}

variable "claims_action_runtime" {
  description = "Node runtime of the claims Action. node22 (the default; Auth0 ended node18 for Actions) needs auth0/auth0 v1.11.0 or later; with an older provider in the lock file, upgrade it (terraform init -upgrade)."
  type        = string
  default     = "node22"

  validation {
    condition     = contains(["node18", "node22"], var.claims_action_runtime)
    error_message = "claims_action_runtime must be node22 (or node18 on tenants that still run it)."
  }
}
