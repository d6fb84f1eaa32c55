terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }

  # State in the bucket envs/bootstrap makes; partial configuration, the rest at init:
  #   terraform init -backend-config=backend.hcl \
  #     -backend-config="bucket=$(terraform -chdir=../bootstrap output -raw state_bucket)"
  backend "s3" {}
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
