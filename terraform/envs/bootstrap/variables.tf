variable "region" {
  description = "Region of the state bucket and lock table (the backend.hcl files name it)."
  type        = string
  default     = "eu-west-1"
}

variable "state_bucket_name" {
  description = "Globally unique name of the state bucket, e.g. fleet-terraform-state-<account id>."
  type        = string
}

variable "lock_table_name" {
  description = "DynamoDB lock table (the envs' backend.hcl dynamodb_table)."
  type        = string
  default     = "fleet-terraform-locks"
}

variable "deletion_protection" {
  description = "Protect the lock table and refuse to destroy a non-empty bucket. False only in the emulator test."
  type        = bool
  default     = true
}
