variable "prefix" {
  description = "Name prefix of the secrets, e.g. fleet/prod/ (External Secrets' remoteRef.key is prefix + name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9/_-]+/$", var.prefix))
    error_message = "prefix must be lowercase path segments ending in /, e.g. fleet/prod/."
  }
}

variable "secrets" {
  description = "Secrets to create: name => description (what the value holds)."
  type        = map(string)

  validation {
    condition     = length(var.secrets) > 0 && alltrue([for n in keys(var.secrets) : can(regex("^[a-z0-9-]+$", n))])
    error_message = "secrets needs at least one name of lowercase letters, digits and hyphens."
  }
}

variable "recovery_window_days" {
  description = "Days a deleted secret can be restored (0 deletes at once: tests only)."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days must be 0 or between 7 and 30."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
