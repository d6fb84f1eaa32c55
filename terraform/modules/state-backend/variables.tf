variable "bucket_name" {
  description = "Globally unique name of the state bucket (checked by modules/secure-bucket)."
  type        = string
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
