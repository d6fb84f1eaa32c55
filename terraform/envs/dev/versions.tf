terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }

  # State in S3 with native locking (Terraform >= 1.10). Partial configuration: pass the rest at
  # init, e.g.
  #   terraform init -backend-config="bucket=<state bucket>" -backend-config="key=fleet/dev.tfstate" \
  #                  -backend-config="region=eu-west-1"
  backend "s3" {
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project     = "fleet"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
