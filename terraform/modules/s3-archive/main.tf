# The telemetry archive bucket (fleet-tracking writes it, issue #21): a hardened bucket
# (modules/secure-bucket: SSE-KMS with a key of its own, versioned, private, no ACLs, TLS only) whose
# lifecycle moves objects to Glacier Flexible Retrieval after N days and expires them (and old
# versions) later.

module "bucket" {
  source = "../secure-bucket"

  bucket_name                    = var.bucket_name
  kms_key_purpose                = "archive objects"
  lifecycle_rule_id              = "archive"
  glacier_after_days             = var.glacier_after_days
  expire_after_days              = var.expire_after_days
  noncurrent_version_expire_days = var.noncurrent_version_expire_days
  abort_incomplete_upload_days   = 7
  force_destroy                  = var.force_destroy
  tags                           = var.tags
}
