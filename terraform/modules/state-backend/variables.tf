variable "bucket_name" {
  description = "Globally unique name of the state bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, dots or hyphens."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB lock table."
  type        = string
  default     = "fleet-terraform-locks"
}

variable "noncurrent_version_expire_days" {
  description = "Days an overwritten state version is kept (rollback window)."
  type        = number
  default     = 90
}

variable "deletion_protection" {
  description = "Refuse to delete the lock table."
  type        = bool
  default     = true
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
