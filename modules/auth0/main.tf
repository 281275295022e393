locals {
  scope_names = [for s in var.api.scopes : s.name]
  clients     = { for c in var.clients : c.name => c }
}

# The API. Its identifier is the audience of every token issued for it.
resource "auth0_resource_server" "this" {
  identifier     = var.api.identifier
  name           = var.api.name
  signing_alg    = var.api.signing_alg
  token_lifetime = var.api.token_lifetime

  # Machines get no refresh tokens and never see a consent screen.
  allow_offline_access                            = false
  skip_consent_for_verifiable_first_party_clients = true
}

# Since provider 1.0 the scopes live in their own resource (the scopes
# argument of auth0_resource_server was removed).
resource "auth0_resource_server_scopes" "this" {
  resource_server_identifier = auth0_resource_server.this.identifier

  dynamic "scopes" {
    for_each = var.api.scopes
    content {
      name        = scopes.value.name
      description = scopes.value.description
    }
  }
}

resource "auth0_client" "this" {
  for_each = local.clients

  name            = each.key
  description     = each.value.description
  app_type        = "non_interactive"
  is_first_party  = true
  oidc_conformant = true
  grant_types     = ["client_credentials"]

  jwt_configuration {
    alg = "RS256"
  }
}

# Since provider 1.0 the authentication method is set here (the
# token_endpoint_auth_method argument of auth0_client was removed), and the
# secret is read here (auth0_client no longer exports client_secret).
resource "auth0_client_credentials" "this" {
  for_each = local.clients

  client_id             = auth0_client.this[each.key].client_id
  authentication_method = "client_secret_post"
}

resource "auth0_client_grant" "this" {
  for_each = local.clients

  client_id = auth0_client.this[each.key].client_id
  audience  = auth0_resource_server.this.identifier
  scopes    = each.value.scopes

  # Auth0 refuses a grant for scopes the API does not declare yet.
  depends_on = [auth0_resource_server_scopes.this]

  lifecycle {
    precondition {
      condition     = length(setsubtract(each.value.scopes, local.scope_names)) == 0
      error_message = "Client ${jsonencode(each.key)} asks for scopes ${jsonencode(setsubtract(each.value.scopes, local.scope_names))} that api.scopes does not declare; declare them there or remove them from the client."
    }
  }
}

locals {
  issuer = "https://${var.domain}/"
}
