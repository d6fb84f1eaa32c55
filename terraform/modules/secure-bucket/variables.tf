variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, dots or hyphens."
  }
}

variable "kms_key_purpose" {
  description = "What the bucket's KMS key protects, in its description (\"<bucket>: <purpose>\")."
  type        = string
}

variable "lifecycle_rule_id" {
  description = "Id of the bucket's lifecycle rule."
  type        = string
}

variable "glacier_after_days" {
  description = "Days after which objects move to Glacier Flexible Retrieval; null = never."
  type        = number
  default     = null

  validation {
    condition     = var.glacier_after_days == null || try(var.glacier_after_days >= 1, false)
    error_message = "glacier_after_days must be at least 1 (or null)."
  }
}

variable "expire_after_days" {
  description = "Days after which objects are deleted (0 = never). With glacier_after_days: at least 90 days after the move (Glacier's minimum storage duration)."
  type        = number
  default     = 0
}

variable "noncurrent_version_expire_days" {
  description = "Days a replaced or deleted object version is kept."
  type        = number
}

variable "abort_incomplete_upload_days" {
  description = "Days after which an incomplete multipart upload is aborted."
  type        = number
}

variable "force_destroy" {
  description = "Let terraform destroy delete a non-empty bucket (tests only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
