variable "region" {
  description = "AWS region of the environment (the Kubernetes cluster's)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "environment" {
  description = "Environment name, used in resource names and tags."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters or digits."
  }
}

variable "vpc_id" {
  description = "VPC of the Kubernetes cluster (created outside this configuration)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets of the cluster's VPC, in at least two availability zones, for the database."
  type        = list(string)
}

variable "cluster_security_group_id" {
  description = "Security group of the cluster's nodes (or pods, with security groups for pods): the only source allowed to reach PostgreSQL."
  type        = string
}

variable "db_instance_class" {
  description = "RDS instance class of the PostgreSQL 15 instance."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_multi_az" {
  description = "Run a standby in a second availability zone."
  type        = bool
  default     = false
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery)."
  type        = number
  default     = 7
}

variable "db_deletion_protection" {
  description = "Protect the database from deletion."
  type        = bool
  default     = true
}

variable "image_repositories" {
  description = "ECR repositories to create, one per service image; empty to use another registry."
  type        = set(string)
  default     = ["fleet-tracking", "fleet-control", "fleet-alerting", "fleet-health", "fleet-routing", "fleet-sim"]
}
