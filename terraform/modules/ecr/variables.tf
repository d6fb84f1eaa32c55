variable "repositories" {
  description = "Image repositories to create, one per service image (the Dockerfile's products)."
  type        = set(string)

  validation {
    condition     = alltrue([for r in var.repositories : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", r))])
    error_message = "Repository names must be lowercase letters and digits separated by '.', '_' or '-'."
  }
}

variable "namespace" {
  description = "Prefix of the repository names (<namespace>/<repository>)."
  type        = string
  default     = "fleet"

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", var.namespace))
    error_message = "namespace must be lowercase letters and digits separated by '.', '_' or '-'."
  }
}

variable "keep_tagged_images" {
  description = "Tagged images kept per repository (older ones expire)."
  type        = number
  default     = 30

  validation {
    condition     = var.keep_tagged_images >= 1 && var.keep_tagged_images <= 1000
    error_message = "keep_tagged_images must be between 1 and 1000."
  }
}

variable "untagged_expiry_days" {
  description = "Days after which untagged images (superseded build layers) expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_expiry_days >= 1 && var.untagged_expiry_days <= 365
    error_message = "untagged_expiry_days must be between 1 and 365."
  }
}

variable "tags" {
  description = "Tags added to every repository."
  type        = map(string)
  default     = {}
}
