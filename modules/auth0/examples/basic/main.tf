# Management credentials are read from the environment, never from files:
# AUTH0_CLIENT_ID + AUTH0_CLIENT_SECRET, or AUTH0_API_TOKEN.
provider "auth0" {
  domain = var.domain
}

module "auth0" {
  source = "../.."

  domain = var.domain

  api = {
    name           = "${var.name}-api"
    identifier     = "https://${var.name}.example.com/gateway"
    signing_alg    = "RS256"
    token_lifetime = 3600
    scopes = [
      { name = "invoke:gateway", description = "Invoke the gateway" },
      { name = "read:gateway", description = "Read the gateway" },
    ]
  }

  clients = [
    {
      name        = "${var.name}-m2m"
      description = "Calls the gateway (managed by Terraform)"
      scopes      = ["invoke:gateway"]
      # Put into this client's access tokens by the credentials-exchange Action.
      claims      = { "https://example.com/department" = "engineering" }
      list_claims = { "https://example.com/teams" = ["platform", "ops"] }
    },
  ]
}
