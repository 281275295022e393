variable "user_pool_name" {
  description = "Name of the Cognito user pool: 1-128 characters of letters, digits, spaces and + = , . @ -."
  type        = string

  validation {
    condition     = length(var.user_pool_name) <= 128 && can(regex("^[\\w\\s+=,.@-]+$", var.user_pool_name))
    error_message = "user_pool_name must be 1-128 characters of letters, digits, spaces and + = , . @ - (for example gateway-user-pool)."
  }
}

variable "domain_prefix" {
  description = "Prefix of the Cognito hosted domain <prefix>.auth.<region>.amazoncognito.com that serves the token endpoint. Must be unique within the region."
  type        = string

  validation {
    condition     = length(var.domain_prefix) <= 63 && can(regex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", var.domain_prefix))
    error_message = "domain_prefix must be 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (for example my-gateway-dev)."
  }

  validation {
    condition     = !can(regex("aws|amazon|cognito", var.domain_prefix))
    error_message = "domain_prefix must not contain the reserved words aws, amazon or cognito; choose another prefix."
  }
}

variable "feature_tier" {
  description = "Feature plan of the user pool (user_pool_tier): LITE, ESSENTIALS or PLUS. Machine-to-machine (client_credentials) tokens work on every tier; ESSENTIALS is the AWS default for new pools."
  type        = string
  default     = "ESSENTIALS"

  validation {
    condition     = contains(["LITE", "ESSENTIALS", "PLUS"], var.feature_tier)
    error_message = "feature_tier must be LITE, ESSENTIALS or PLUS (upper case)."
  }
}

variable "deletion_protection" {
  description = "Turn on the user pool's deletion protection (deletion_protection = \"ACTIVE\"). Set it for protected environments; the pool then cannot be deleted until it is turned off again."
  type        = bool
  default     = false
}

variable "resource_server" {
  description = "The resource server (the API the gateway represents): its identifier (the scope prefix), display name and scopes. Full scope strings are <identifier>/<scope name>."
  type = object({
    identifier = string
    name       = string
    scopes = list(object({
      name        = string
      description = string
    }))
  })

  validation {
    condition     = length(var.resource_server.identifier) <= 256 && can(regex("^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$", var.resource_server.identifier))
    error_message = "resource_server.identifier must be 1-256 printable ASCII characters without spaces, double quotes or backslashes (for example gateway-resource-server)."
  }

  validation {
    condition     = length(var.resource_server.name) <= 256 && can(regex("^[\\w\\s+=,.@-]+$", var.resource_server.name))
    error_message = "resource_server.name must be 1-256 characters of letters, digits, spaces and + = , . @ - (for example GatewayResourceServer)."
  }

  validation {
    condition     = length(var.resource_server.scopes) >= 1 && length(var.resource_server.scopes) <= 100
    error_message = "resource_server.scopes must list 1-100 scopes; clients can only request scopes declared here."
  }

  validation {
    condition = alltrue([
      for s in var.resource_server.scopes :
      length(s.name) <= 256 && can(regex("^[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+$", s.name))
    ])
    error_message = "Each resource_server.scopes[*].name must be 1-256 printable ASCII characters without spaces, slashes, double quotes or backslashes (for example read)."
  }

  validation {
    condition     = alltrue([for s in var.resource_server.scopes : length(s.description) >= 1 && length(s.description) <= 256])
    error_message = "Each resource_server.scopes[*].description must be 1-256 characters."
  }

  validation {
    condition     = length(distinct([for s in var.resource_server.scopes : s.name])) == length(var.resource_server.scopes)
    error_message = "resource_server.scopes names must be unique; remove the duplicate scope."
  }
}

variable "clients" {
  description = "Machine-to-machine app clients, one per entry, keyed by name: each gets a secret, the client_credentials flow and the listed scopes (short names from resource_server.scopes). access_token_validity_minutes is 5-1440 (default 60). claims (name -> string) and list_claims (name -> list of strings) are put into the client's access tokens by a pre token generation trigger (needs feature_tier ESSENTIALS or PLUS)."
  type = list(object({
    name                          = string
    scopes                        = list(string)
    access_token_validity_minutes = optional(number, 60)
    claims                        = optional(map(string), {})
    list_claims                   = optional(map(list(string)), {})
  }))

  validation {
    condition     = length(var.clients) >= 1
    error_message = "clients must list at least one client: the gateway's authorizer needs a client id to allow."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.name) <= 128 && can(regex("^[\\w\\s+=,.@-]+$", c.name))])
    error_message = "Each clients[*].name must be 1-128 characters of letters, digits, spaces and + = , . @ - (for example gateway-client)."
  }

  validation {
    condition     = length(distinct([for c in var.clients : c.name])) == length(var.clients)
    error_message = "clients names must be unique; each name becomes one app client."
  }

  validation {
    condition     = alltrue([for c in var.clients : length(c.scopes) >= 1 && length(distinct(c.scopes)) == length(c.scopes)])
    error_message = "Each client must list at least one scope, without duplicates: the client_credentials flow needs a custom scope."
  }

  validation {
    condition = alltrue([
      for c in var.clients :
      c.access_token_validity_minutes >= 5 && c.access_token_validity_minutes <= 1440 && floor(c.access_token_validity_minutes) == c.access_token_validity_minutes
    ])
    error_message = "Each clients[*].access_token_validity_minutes must be a whole number from 5 (5 minutes) to 1440 (1 day)."
  }

  validation {
    condition = alltrue([
      for c in var.clients : alltrue([
        for name in concat(keys(c.claims), keys(c.list_claims)) :
        can(regex("^[A-Za-z0-9_./:]{1,255}$", name))
      ])
    ])
    error_message = "Each claim name in clients[*].claims and list_claims must be 1-255 letters, digits, '_', '.', '/' or ':' (the names the gateway's customClaims can check), for example department."
  }

  validation {
    condition = alltrue([
      for c in var.clients : alltrue([
        for name in concat(keys(c.claims), keys(c.list_claims)) :
        !startswith(name, "cognito:") && !contains(["acr", "amr", "at_hash", "aud", "auth_time", "azp", "c_hash", "client_id", "device_key", "event_id", "exp", "iat", "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "scope", "sub", "token_use", "username", "version"], name)
      ])
    ])
    error_message = "A claim name in clients[*].claims or list_claims is one Cognito sets itself (iss, sub, client_id, scope, token_use, exp, ..., or cognito:*); the trigger cannot override it: choose another name."
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

variable "trigger_name" {
  description = "Name of the pre token generation function and its IAM role (created only when some client has claims). Default: <domain_prefix>-claims. IAM role names are global to the account: set it when two pools in different regions share a domain prefix."
  type        = string
  default     = null

  validation {
    condition     = var.trigger_name == null || can(regex("^[A-Za-z0-9_-]{1,64}$", var.trigger_name))
    error_message = "trigger_name must be 1-64 letters, digits, '-' or '_' (a Lambda function and IAM role name)."
  }
}

variable "discovery_base_url" {
  description = "Base URL of a local Cognito emulator (for example http://127.0.0.1:5000). When set, discovery_url, jwks_uri and token_endpoint point there (<base>/<pool id>/.well-known/...) instead of AWS. Leave null for AWS."
  type        = string
  default     = null

  validation {
    condition     = var.discovery_base_url == null || can(regex("^https?://[^/?#\\s]+(/[^?#\\s]*)?$", var.discovery_base_url))
    error_message = "discovery_base_url must be null or an http(s) URL without query or fragment, such as http://127.0.0.1:5000."
  }
}

variable "tags" {
  description = "Tags for the user pool."
  type        = map(string)
  default     = {}
}
