locals {
  emulated = var.endpoint_url != null
}

provider "aws" {
  region = var.region

  # The settings below change anything only when endpoint_url points at an
  # emulator: fake keys, no account or metadata look-ups, three attempts
  # (a loaded emulator now and then drops a connection mid-response).
  access_key                  = local.emulated ? "testing" : null
  secret_key                  = local.emulated ? "testing" : null
  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated
  skip_region_validation      = local.emulated
  max_retries                 = local.emulated ? 3 : null

  endpoints {
    cognitoidp = var.endpoint_url
    iam        = var.endpoint_url
    lambda     = var.endpoint_url
    logs       = var.endpoint_url
    sts        = var.endpoint_url
  }
}

module "cognito" {
  source = "../.."

  user_pool_name      = "${var.name}-pool"
  domain_prefix       = var.name
  feature_tier        = "ESSENTIALS"
  deletion_protection = var.deletion_protection

  resource_server = {
    identifier = "gateway-resource-server"
    name       = "GatewayResourceServer"
    scopes = [
      { name = "read", description = "Read access" },
      { name = "write", description = "Write access" },
    ]
  }

  clients = [
    {
      name   = "${var.name}-client"
      scopes = ["read", "write"]
      # Put into this client's access tokens by the pre token generation trigger.
      claims      = { department = "engineering" }
      list_claims = { groups = ["admins", "ops"] }
    },
    { name = "${var.name}-reader", scopes = ["read"], access_token_validity_minutes = 15 },
  ]

  discovery_base_url = var.endpoint_url

  tags = {
    project = "authgen"
    example = "basic"
  }
}
