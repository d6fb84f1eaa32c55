variable "region" {
  description = "AWS region of the environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "environment" {
  description = "Environment name, used in resource names (fleet-<environment>), secret names and tags."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,15}$", var.environment))
    error_message = "environment must be 2-16 lowercase letters or digits."
  }
}

variable "availability_zones" {
  description = "Zones of the subnets (two at least)."
  type        = list(string)
}

variable "vpc_cidr_block" {
  description = "IPv4 /16 of the VPC."
  type        = string
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per zone (true: a zone outage leaves the others online) or one shared (false: cheaper)."
  type        = bool
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
}

variable "eks_public_access_cidrs" {
  description = "CIDRs that may reach the Kubernetes API over the internet (operators, CI); empty = private endpoint only."
  type        = list(string)
}

variable "eks_addons_enabled" {
  description = "Install the EKS managed add-ons (vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver). Off only against an emulator without the add-on API."
  type        = bool
}

variable "general_instance_types" {
  description = "Instance types of the general node group."
  type        = list(string)
}

variable "general_min_size" {
  description = "Minimum (and initial) nodes of the general group."
  type        = number
}

variable "general_max_size" {
  description = "Maximum nodes of the general group."
  type        = number
}

variable "ingest_instance_types" {
  description = "Instance types of the ingest node group (fleet-tracking only)."
  type        = list(string)
}

variable "ingest_min_size" {
  description = "Minimum (and initial) nodes of the ingest group."
  type        = number
}

variable "ingest_max_size" {
  description = "Maximum nodes of the ingest group."
  type        = number
}

variable "db_instance_class" {
  description = "RDS instance class of the PostgreSQL 15 instance."
  type        = string
}

variable "db_multi_az" {
  description = "Run a database standby in a second availability zone."
  type        = bool
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery)."
  type        = number
}

variable "deletion_protection" {
  description = "Protect the database from deletion, refuse to destroy non-empty buckets, keep deleted secrets 30 days. Set false only to tear the environment down (or in the emulator test)."
  type        = bool
}

variable "archive_bucket_name" {
  description = "Globally unique name of the telemetry archive bucket."
  type        = string
}

variable "archive_glacier_after_days" {
  description = "Days after which archived telemetry (fleet/telemetry/) moves to Glacier Instant Retrieval; reports stay in S3 Standard."
  type        = number
}

variable "app_secrets" {
  description = "Application secrets created in Secrets Manager as fleet/<environment>/<name> (values are put by an operator): name => description."
  type        = map(string)
}

variable "log_retention_days" {
  description = "Days VPC flow logs and EKS control-plane logs are kept."
  type        = number
}

variable "image_repositories" {
  description = "ECR repositories to create (fleet/<name>), one per image the pipeline pushes; empty to use the repositories of another environment (prod uses dev's) or another registry."
  type        = set(string)
}
