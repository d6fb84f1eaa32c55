# Run once per AWS account, before envs/dev and envs/prod: makes the S3 bucket and DynamoDB table
# that hold their state and locks. Its own state is local (a chicken-and-egg: the bucket does not
# exist yet); keep terraform.tfstate of this folder safe, or migrate it into the bucket afterwards
# (docs/deployment/terraform.md, "Bootstrap").

module "state" {
  source = "../../modules/state-backend"

  bucket_name         = var.state_bucket_name
  lock_table_name     = var.lock_table_name
  deletion_protection = var.deletion_protection
  force_destroy       = !var.deletion_protection
}
