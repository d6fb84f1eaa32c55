# The archive bucket (fleet-tracking writes it, issue #21): a hardened bucket (modules/secure-bucket:
# SSE-KMS with a key of its own, versioned, private, no ACLs, TLS only). The archived telemetry days
# (<prefix>/telemetry/) move to Glacier Instant Retrieval after N days: still read in place with
# ranged GETs (history reads, restores), which Glacier Flexible Retrieval and Deep Archive would
# refuse until an object is restored. Reports (<prefix>/reports/) stay in S3 Standard. Old versions
# (strays the service deletes, replaced manifests) expire after 30 days.

module "bucket" {
  source = "../secure-bucket"

  bucket_name       = var.bucket_name
  kms_key_purpose   = "archive objects"
  lifecycle_rule_id = "archive"
  transition = {
    prefix        = var.telemetry_prefix
    days          = var.glacier_after_days
    storage_class = var.telemetry_storage_class
  }
  expire_after_days              = var.expire_after_days
  noncurrent_version_expire_days = var.noncurrent_version_expire_days
  abort_incomplete_upload_days   = 7
  force_destroy                  = var.force_destroy
  tags                           = var.tags
}
