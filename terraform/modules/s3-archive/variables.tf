variable "bucket_name" {
  description = "Globally unique bucket name (checked by modules/secure-bucket)."
  type        = string
}

variable "glacier_after_days" {
  description = "Days after which objects move to Glacier Flexible Retrieval."
  type        = number
  default     = 30

  validation {
    condition     = var.glacier_after_days >= 1
    error_message = "glacier_after_days must be at least 1."
  }
}

variable "expire_after_days" {
  description = "Days after which objects are deleted (0 = never). Must be at least 90 days after the move to Glacier (its minimum storage duration)."
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
