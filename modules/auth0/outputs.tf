output "issuer" {
  description = "Issuer of the tenant's tokens (the iss claim): https://<domain>/."
  value       = local.issuer
}

output "discovery_url" {
  description = "OpenID Connect discovery URL of the tenant (https://<domain>/.well-known/openid-configuration); the CUSTOM_JWT authorizer's discoveryUrl."
  value       = "${local.issuer}.well-known/openid-configuration"
}

output "jwks_uri" {
  description = "URL of the tenant's JSON Web Key Set (https://<domain>/.well-known/jwks.json)."
  value       = "${local.issuer}.well-known/jwks.json"
}

output "token_endpoint" {
  description = "OAuth 2.0 token endpoint for the client_credentials grant: https://<domain>/oauth/token."
  value       = "${local.issuer}oauth/token"
}

output "client_ids" {
  description = "Application client ids by client name."
  value       = { for name, client in auth0_client.this : name => client.client_id }
}

output "client_secrets" {
  description = "Application client secrets by client name. The provider returns an empty string unless its management client may read client keys (scope read:client_keys; later 1.x releases also accept read:client_credentials)."
  value       = { for name, creds in auth0_client_credentials.this : name => creds.client_secret }
  sensitive   = true
}

output "audiences" {
  description = "Audiences the authorizer allows: the API identifier (Auth0 access tokens carry it as aud; the authorizer's allowedAudience)."
  value       = [auth0_resource_server.this.identifier]
}

output "scopes" {
  description = "Scope names of the API, in the order of api.scopes."
  value       = [for s in var.api.scopes : s.name]
}

output "gateway_authorizer" {
  description = "The custom_jwt_authorizer block of aws_bedrockagentcore_gateway / aws_bedrockagentcore_agent_runtime (hashicorp/aws 6.18 or newer), as an object: discovery_url, allowed_audience (the API identifier: Auth0 access tokens carry it as aud), allowed_clients, allowed_scopes (null: not checked) and custom_claim (empty: none)."
  value = {
    discovery_url    = "${local.issuer}.well-known/openid-configuration"
    allowed_audience = [auth0_resource_server.this.identifier]
    allowed_clients  = null
    allowed_scopes   = null
    custom_claim     = []
  }
}
