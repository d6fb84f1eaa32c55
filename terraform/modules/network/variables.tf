variable "name" {
  description = "Name of the VPC and prefix of its resources."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the VPC (for the S3 gateway endpoint's service name)."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 range of the VPC: a /16 (split into /20 subnets, public ones first, private ones from the 9th)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0)) && endswith(var.cidr_block, "/16")
    error_message = "cidr_block must be an IPv4 /16 such as 10.40.0.0/16."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over (at least two: EKS and RDS subnet groups need two)."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 8 && length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones needs 2 to 8 distinct zones."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per zone (a zone failure leaves the others online) instead of one shared gateway (cheaper, for dev)."
  type        = bool
  default     = true
}

variable "cluster_name" {
  description = "EKS cluster that uses the subnets (kubernetes.io/cluster/<name> tag)."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention CloudWatch Logs accepts (e.g. 30, 90, 365)."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
