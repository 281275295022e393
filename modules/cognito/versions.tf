terraform {
  # 1.5: preconditions, postconditions and optional object attributes with defaults.
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # The range the project supports; user_pool_tier needs a recent 5.x.
      version = ">= 5.83, < 7.0"
    }
  }
}
