variable "bucket_name" {
  description = "Globally unique bucket name (checked by modules/secure-bucket)."
  type        = string
}

variable "glacier_after_days" {
  description = "Days after which archived telemetry (telemetry_prefix) moves to telemetry_storage_class."
  type        = number
  default     = 30

  validation {
    condition     = var.glacier_after_days >= 1
    error_message = "glacier_after_days must be at least 1."
  }
}

variable "telemetry_prefix" {
  description = "Key prefix of the archived telemetry days: fleet-tracking's FLEET_ARCHIVE_PREFIX (default fleet) + /telemetry/."
  type        = string
  default     = "fleet/telemetry/"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+/telemetry/$", var.telemetry_prefix))
    error_message = "telemetry_prefix must be <FLEET_ARCHIVE_PREFIX>/telemetry/."
  }
}

variable "telemetry_storage_class" {
  description = "Storage class of archived telemetry after glacier_after_days. The service reads archived days in place with ranged GETs: only classes that serve them at once (GLACIER_IR, STANDARD_IA, INTELLIGENT_TIERING without its opt-in archive tiers); STANDARD_IA needs 30 days at least."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["GLACIER_IR", "STANDARD_IA", "INTELLIGENT_TIERING"], var.telemetry_storage_class)
    error_message = "telemetry_storage_class must be GLACIER_IR, STANDARD_IA or INTELLIGENT_TIERING (GLACIER and DEEP_ARCHIVE need a restore before a read)."
  }
}

variable "expire_after_days" {
  description = "Days after which objects, telemetry and reports, are deleted (0 = never). At least 90 days after the move to Glacier Instant Retrieval (its minimum storage duration)."
  type        = number
  default     = 0
}

variable "noncurrent_version_expire_days" {
  description = "Days a replaced or deleted object version is kept."
  type        = number
  default     = 30
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
