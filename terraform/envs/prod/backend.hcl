# S3 backend settings of envs/prod (the bucket name comes from envs/bootstrap's output state_bucket).
key            = "fleet/prod/terraform.tfstate"
region         = "eu-west-1"
encrypt        = true
dynamodb_table = "fleet-terraform-locks"
