# Where the dev and prod configurations keep their Terraform state: a hardened S3 bucket
# (modules/secure-bucket: versioned, so a broken state can be rolled back, with old versions kept
# noncurrent_version_expire_days; KMS-encrypted; private; TLS only) and a DynamoDB lock table
# (LockID) for the S3 backend's `dynamodb_table` locking, encrypted with the bucket's key.

module "bucket" {
  source = "../secure-bucket"

  bucket_name                    = var.bucket_name
  kms_key_purpose                = "Terraform state and locks"
  lifecycle_rule_id              = "old-state-versions"
  noncurrent_version_expire_days = var.noncurrent_version_expire_days
  abort_incomplete_upload_days   = 1
  force_destroy                  = var.force_destroy
  tags                           = var.tags
}

resource "aws_dynamodb_table" "lock" {
  name                        = var.lock_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "LockID"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "LockID"
    type = "S"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = module.bucket.kms_key_arn
  }

  point_in_time_recovery {
    enabled = true
  }

  tags = var.tags
}
