locals {
  scope_names = [for s in var.resource_server.scopes : s.name]
  clients     = { for c in var.clients : c.name => c }
}

# The user pool serves machines only: nobody signs up, an administrator would
# have to create any user.
resource "aws_cognito_user_pool" "this" {
  name                = var.user_pool_name
  user_pool_tier      = var.feature_tier
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  # Claims in access tokens: the pre token generation trigger (trigger.tf).
  dynamic "lambda_config" {
    for_each = local.claims_enabled ? [one(aws_lambda_function.this[*].arn)] : []
    content {
      pre_token_generation_config {
        lambda_arn     = lambda_config.value
        lambda_version = "V3_0"
      }
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !(local.claims_enabled && var.feature_tier == "LITE")
      error_message = "Clients ${jsonencode(keys(local.claims_by_client))} have claims, which need a V3_0 pre token generation trigger: set feature_tier to ESSENTIALS or PLUS (LITE cannot add claims to client_credentials tokens), or remove the claims."
    }
  }
}

resource "aws_cognito_resource_server" "this" {
  user_pool_id = aws_cognito_user_pool.this.id
  identifier   = var.resource_server.identifier
  name         = var.resource_server.name

  dynamic "scope" {
    for_each = var.resource_server.scopes
    content {
      scope_name        = scope.value.name
      scope_description = scope.value.description
    }
  }
}

resource "aws_cognito_user_pool_client" "this" {
  for_each = local.clients

  name         = each.key
  user_pool_id = aws_cognito_user_pool.this.id

  generate_secret                      = true
  allowed_oauth_flows                  = ["client_credentials"]
  allowed_oauth_flows_user_pool_client = true
  # The resource server's scope identifiers are "<identifier>/<scope name>".
  # They are built from its identifier here so the plan shows them.
  allowed_oauth_scopes         = [for s in each.value.scopes : "${aws_cognito_resource_server.this.identifier}/${s}"]
  supported_identity_providers = ["COGNITO"]
  # No user sign-in through this client; refresh-token auth cannot be turned off.
  explicit_auth_flows = ["ALLOW_REFRESH_TOKEN_AUTH"]

  # client_credentials issues access tokens only; the ID-token validity follows
  # it so that every value is explicit and in the same unit.
  access_token_validity = each.value.access_token_validity_minutes
  id_token_validity     = each.value.access_token_validity_minutes
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }

  enable_token_revocation       = true
  prevent_user_existence_errors = "ENABLED"

  # Cognito rejects scopes that the resource server does not (yet) declare:
  # the resource server is created or updated first, so a scope added and
  # granted in one change applies in one run.
  depends_on = [aws_cognito_resource_server.this]

  lifecycle {
    # Both sides come from the variables, so this holds for the planned
    # configuration. (A postcondition against the resource server's
    # scope_identifiers would compare with its state *before* this apply and
    # fail a scope that is added and granted in the same change.)
    precondition {
      condition     = length(setsubtract(each.value.scopes, local.scope_names)) == 0
      error_message = "Client ${jsonencode(each.key)} asks for scopes ${jsonencode(setsubtract(each.value.scopes, local.scope_names))} that resource_server.scopes does not declare; declare them there or remove them from the client."
    }
  }
}

resource "aws_cognito_user_pool_domain" "this" {
  domain       = var.domain_prefix
  user_pool_id = aws_cognito_user_pool.this.id
}

locals {
  pool_id = aws_cognito_user_pool.this.id
  # A user pool id is "<region>_<suffix>". Reading the region from it works
  # with every provider version (no aws_region data source, whose attribute
  # names differ between 5.x and 6.x) and follows a resource-level region.
  region = split("_", local.pool_id)[0]
  issuer = "https://cognito-idp.${local.region}.amazonaws.com/${local.pool_id}"

  # An emulator (moto) serves <base>/<pool id>/.well-known/...; AWS serves it
  # under the issuer.
  emulated      = var.discovery_base_url != null
  emulator_base = local.emulated ? trimsuffix(var.discovery_base_url, "/") : ""
  metadata_base = local.emulated ? "${local.emulator_base}/${local.pool_id}" : local.issuer
  token_endpoint = (
    local.emulated
    ? "${local.emulator_base}/oauth2/token"
    : "https://${aws_cognito_user_pool_domain.this.domain}.auth.${local.region}.amazoncognito.com/oauth2/token"
  )
}
