output "issuer" {
  description = "Issuer of the access tokens."
  value       = module.cognito.issuer
}

output "discovery_url" {
  description = "OpenID Connect discovery URL for the gateway's CUSTOM_JWT authorizer."
  value       = module.cognito.discovery_url
}

output "jwks_uri" {
  description = "JSON Web Key Set URL."
  value       = module.cognito.jwks_uri
}

output "token_endpoint" {
  description = "OAuth 2.0 token endpoint."
  value       = module.cognito.token_endpoint
}

output "client_ids" {
  description = "App client ids by name."
  value       = module.cognito.client_ids
}

output "client_secrets" {
  description = "App client secrets by name."
  value       = module.cognito.client_secrets
  sensitive   = true
}

output "audiences" {
  description = "Client ids the authorizer allows."
  value       = module.cognito.audiences
}

output "scopes" {
  description = "Full scope strings."
  value       = module.cognito.scopes
}

output "gateway_authorizer" {
  description = "The custom_jwt_authorizer block of an AgentCore gateway or runtime, as an object."
  value       = module.cognito.gateway_authorizer
}
