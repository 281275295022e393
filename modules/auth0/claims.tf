# Claims in access tokens (clients[].claims / list_claims): an Action on the
# credentials-exchange trigger (the client_credentials grant). Created only
# when some client has claims. The claims reach the Action as data (a secret
# holding JSON keyed by client id), never as generated code.

locals {
  claims_by_client = {
    for c in var.clients : c.name => { claims = c.claims, list_claims = c.list_claims }
    if length(c.claims) + length(c.list_claims) > 0
  }
  claims_enabled = length(local.claims_by_client) > 0
}

resource "auth0_action" "this" {
  count = local.claims_enabled ? 1 : 0

  name    = coalesce(var.claims_action_name, "${var.api.name} claims")
  runtime = var.claims_action_runtime
  deploy  = true
  code    = file("${path.module}/actions/claims.js")

  supported_triggers {
    id      = "credentials-exchange"
    version = "v2"
  }

  secrets {
    name = "CLAIMS_BY_CLIENT"
    value = jsonencode({
      for name, config in local.claims_by_client : auth0_client.this[name].client_id => config
    })
  }

  secrets {
    name  = "AUDIENCE"
    value = auth0_resource_server.this.identifier
  }
}

# One binding of this Action to the trigger. (auth0_trigger_actions would own
# the trigger's whole list and unbind every other Action of the tenant, e.g.
# another environment's.)
resource "auth0_trigger_action" "this" {
  count = local.claims_enabled ? 1 : 0

  trigger   = "credentials-exchange"
  action_id = auth0_action.this[0].id
}
