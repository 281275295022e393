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
  description = "Machine-to-machine applications, one per entry, keyed by name: each gets the client_credentials grant on the API with the listed scopes (names from api.scopes)."
  type = list(object({
    name        = string
    description = optional(string, "")
    scopes      = list(string)
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
}
