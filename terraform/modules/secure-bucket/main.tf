# A private, hardened S3 bucket, the same for every bucket of Fleet (the telemetry archive, the
# Terraform state): SSE-KMS with a key of its own (rotation on, bucket key on), versioned, all four
# public-access blocks, objects owned by the bucket owner (no ACLs), a bucket policy that denies
# every request not made over TLS, a lifecycle rule for the whole bucket (optional expiry, old
# versions and incomplete uploads cleaned up) and an optional one moving a prefix to a colder class.

resource "aws_kms_key" "this" {
  #checkov:skip=CKV2_AWS_64:The default key policy (the account's IAM decides who may use the key) is intended: the archive key is granted to fleet-tracking's IRSA role only (modules/iam), the state key to whoever may run Terraform for the account.
  description             = "${var.bucket_name}: ${var.kms_key_purpose}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.bucket_name}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:No cross-region replication: it doubles the cost of buckets that are versioned (the archive: RDS data, with deletion protection, is the record; the state: small, rolled back by version) and not needed for operation.
  #checkov:skip=CKV_AWS_18:Server access logs would need a second bucket per bucket; CloudTrail data events (account level) are the audit trail for object access.
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events: the archive is read on demand, state changes concern Terraform only.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    bucket_key_enabled = true # one KMS call per bucket key, not per object
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = var.lifecycle_rule_id
    status = "Enabled"
    filter {}

    dynamic "expiration" {
      for_each = var.expire_after_days > 0 ? [var.expire_after_days] : []
      content {
        days = expiration.value
      }
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expire_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_upload_days
    }
  }

  # Current objects under one prefix only (e.g. the archive's telemetry, not its reports).
  dynamic "rule" {
    for_each = var.transition != null ? [var.transition] : []
    content {
      id     = "${var.lifecycle_rule_id}-${lower(replace(rule.value.storage_class, "_", "-"))}"
      status = "Enabled"
      filter {
        prefix = rule.value.prefix
      }

      transition {
        days          = rule.value.days
        storage_class = rule.value.storage_class
      }

      abort_incomplete_multipart_upload {
        days_after_initiation = var.abort_incomplete_upload_days
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_partition" "current" {}

locals {
  # Known at plan time (unlike aws_s3_bucket.this.arn), so the policy below can be checked in the plan.
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"
}

data "aws_iam_policy_document" "this" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
