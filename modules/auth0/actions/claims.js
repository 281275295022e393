/**
 * modules/auth0: put each client's claims into its access tokens.
 *
 * Runs on the credentials-exchange trigger (the client_credentials grant).
 * Configuration is data, passed as Action secrets by the module, never code:
 *   CLAIMS_BY_CLIENT  JSON {"<client id>": {"claims": {name: string},
 *                                           "list_claims": {name: [strings]}}}
 *   AUDIENCE          the API identifier; exchanges for other APIs are left alone
 * A configuration that is not JSON denies the exchange: a token without the
 * claims the gateway demands would be refused there anyway, later and
 * without a reason.
 */
exports.onExecuteCredentialsExchange = async (event, api) => {
  const audience = event.secrets.AUDIENCE;
  if (audience && event.resource_server && event.resource_server.identifier !== audience) {
    return;
  }
  let config;
  try {
    config = JSON.parse(event.secrets.CLAIMS_BY_CLIENT || "{}");
  } catch (err) {
    api.access.deny("server_error", "the claims configuration (CLAIMS_BY_CLIENT) is not JSON");
    return;
  }
  const entry = config[event.client.client_id];
  if (!entry) {
    return;
  }
  const claims = Object.assign({}, entry.claims || {}, entry.list_claims || {});
  for (const name of Object.keys(claims).sort()) {
    api.accessToken.setCustomClaim(name, claims[name]);
  }
};
