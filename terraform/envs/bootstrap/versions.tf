terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
  # Local backend on purpose: this configuration makes the remote one.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = "fleet"
      ManagedBy = "terraform"
    }
  }
}
