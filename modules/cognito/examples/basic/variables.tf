variable "region" {
  description = "AWS region of the user pool."
  type        = string
  default     = "us-west-2"
}

variable "endpoint_url" {
  description = "Base URL of a local Cognito emulator (a moto server, for example http://127.0.0.1:5000). null (the default) targets AWS with the usual credential chain."
  type        = string
  default     = null
}

variable "name" {
  description = "Name stem of everything this example creates: the pool is <name>-pool, the domain prefix <name>, the client <name>-client."
  type        = string
  default     = "authgen-example"
}

variable "deletion_protection" {
  description = "Turn on the user pool's deletion protection (what a protected environment does)."
  type        = bool
  default     = false
}
