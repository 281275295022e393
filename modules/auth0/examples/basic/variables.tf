variable "domain" {
  description = "Auth0 tenant domain, for example dev-example.us.auth0.com. The management credentials come from AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (or AUTH0_API_TOKEN) in the environment."
  type        = string
}

variable "name" {
  description = "Name stem of the API (<name>-api) and of its client (<name>-m2m)."
  type        = string
  default     = "authgen-example"
}
