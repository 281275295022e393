terraform {
  # 1.5: preconditions and optional object attributes with defaults.
  required_version = ">= 1.5"

  required_providers {
    auth0 = {
      source  = "auth0/auth0"
      version = ">= 1.0, < 2.0"
    }
  }
}
