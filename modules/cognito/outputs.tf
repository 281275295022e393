output "issuer" {
  description = "Issuer of the pool's tokens (the iss claim): https://cognito-idp.<region>.amazonaws.com/<pool id>. The same with an emulator."
  value       = local.issuer
}

output "discovery_url" {
  description = "OpenID Connect discovery URL (<issuer>/.well-known/openid-configuration), or the emulator's when discovery_base_url is set; the CUSTOM_JWT authorizer's discoveryUrl."
  value       = "${local.metadata_base}/.well-known/openid-configuration"
}

output "jwks_uri" {
  description = "URL of the pool's JSON Web Key Set (<issuer>/.well-known/jwks.json), or the emulator's when discovery_base_url is set."
  value       = "${local.metadata_base}/.well-known/jwks.json"
}

output "token_endpoint" {
  description = "OAuth 2.0 token endpoint for the client_credentials grant: https://<domain prefix>.auth.<region>.amazoncognito.com/oauth2/token, or <discovery_base_url>/oauth2/token with an emulator."
  value       = local.token_endpoint
}

output "client_ids" {
  description = "App client ids by client name."
  value       = { for name, client in aws_cognito_user_pool_client.this : name => client.id }
}

output "client_secrets" {
  description = "App client secrets by client name."
  value       = { for name, client in aws_cognito_user_pool_client.this : name => client.client_secret }
  sensitive   = true
}

output "audiences" {
  description = "Values the authorizer allows, in the order of var.clients: the client ids, because Cognito access tokens carry client_id and no aud (the authorizer's allowedClients)."
  value       = [for c in var.clients : aws_cognito_user_pool_client.this[c.name].id]
}

output "scopes" {
  description = "Full scope strings of the resource server (<identifier>/<scope name>), in the order of resource_server.scopes."
  value       = [for s in var.resource_server.scopes : "${aws_cognito_resource_server.this.identifier}/${s.name}"]
}

output "gateway_authorizer" {
  description = "The custom_jwt_authorizer block of aws_bedrockagentcore_gateway / aws_bedrockagentcore_agent_runtime (hashicorp/aws 6.18 or newer), as an object: discovery_url, allowed_clients (every app client id, sorted: Cognito access tokens carry client_id and no aud), allowed_audience, allowed_scopes (null: not checked) and custom_claim (empty: none)."
  value = {
    discovery_url    = "${local.metadata_base}/.well-known/openid-configuration"
    allowed_audience = null
    allowed_clients  = sort([for client in aws_cognito_user_pool_client.this : client.id])
    allowed_scopes   = null
    custom_claim     = []
  }
}
