output "issuer" {
  description = "Issuer of the access tokens."
  value       = module.auth0.issuer
}

output "discovery_url" {
  description = "OpenID Connect discovery URL for the gateway's CUSTOM_JWT authorizer."
  value       = module.auth0.discovery_url
}

output "jwks_uri" {
  description = "JSON Web Key Set URL."
  value       = module.auth0.jwks_uri
}

output "token_endpoint" {
  description = "OAuth 2.0 token endpoint."
  value       = module.auth0.token_endpoint
}

output "client_ids" {
  description = "Application client ids by name."
  value       = module.auth0.client_ids
}

output "client_secrets" {
  description = "Application client secrets by name (empty unless the management client may read client keys)."
  value       = module.auth0.client_secrets
  sensitive   = true
}

output "audiences" {
  description = "Audiences the authorizer allows."
  value       = module.auth0.audiences
}

output "scopes" {
  description = "Scope names of the API."
  value       = module.auth0.scopes
}

output "gateway_authorizer" {
  description = "The custom_jwt_authorizer block of an AgentCore gateway or runtime, as an object."
  value       = module.auth0.gateway_authorizer
}
