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

variable "transition" {
  description = "Move current objects under `prefix` to `storage_class` after `days` (null = never); other keys stay in S3 Standard. STANDARD_IA and ONEZONE_IA need 30 days at least."
  type = object({
    prefix        = string
    days          = number
    storage_class = string
  })
  default = null

  validation {
    condition = var.transition == null || try(
      var.transition.days >= 1 && length(var.transition.prefix) > 0
      && contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.transition.storage_class),
    false)
    error_message = "transition needs a non-empty prefix, days >= 1 and an S3 storage class (STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE)."
  }
}

variable "expire_after_days" {
  description = "Days after which objects are deleted (0 = never). With a transition: at least the class's minimum storage duration after the move (90 days for GLACIER_IR)."
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
