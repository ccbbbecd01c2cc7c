terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }

  # Partial configuration: terraform init -backend-config=backend.hcl (bucket, key,
  # region, use_lockfile = true). Validation runs with -backend=false.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "driftline"
      Environment = local.environment
      ManagedBy   = "terraform"
    }
  }
}
