# The inputs of modules/fleet-environment (described and validated there), with prod's values as
# defaults: the sizes of the environment. Override one with -var NAME=VALUE.

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "availability_zones" {
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

variable "vpc_cidr_block" {
  type    = string
  default = "10.50.0.0/16"
}

variable "nat_gateway_per_az" {
  type    = bool
  default = true
}

variable "kubernetes_version" {
  type    = string
  default = "1.33"
}

variable "eks_public_access_cidrs" {
  type    = list(string)
  default = []
}

variable "eks_addons_enabled" {
  type    = bool
  default = true
}

variable "general_instance_types" {
  type    = list(string)
  default = ["m6i.xlarge"]
}

variable "general_min_size" {
  type    = number
  default = 3
}

variable "general_max_size" {
  type    = number
  default = 6
}

variable "ingest_instance_types" {
  type    = list(string)
  default = ["c6i.xlarge"]
}

variable "ingest_min_size" {
  type    = number
  default = 3
}

variable "ingest_max_size" {
  type    = number
  default = 8
}

variable "db_instance_class" {
  type    = string
  default = "db.m7g.large"
}

variable "db_multi_az" {
  type    = bool
  default = true
}

variable "db_backup_retention_days" {
  type    = number
  default = 14
}

variable "deletion_protection" {
  type    = bool
  default = true
}

variable "archive_bucket_name" {
  description = "Globally unique name of the telemetry archive bucket."
  type        = string
}

variable "archive_glacier_after_days" {
  type    = number
  default = 30
}

variable "app_secrets" {
  type = map(string)
  default = {
    # charts/fleet-secrets (mode prod) reads these: prod.mqttSecret and prod.remote.*.key.
    mqtt    = "JSON: one property per broker account of config/mosquitto/service-accounts, plus dynsec-admin"
    control = "JSON: admin-token (fleet-control bootstrap admin token), routing-control-token (a commands:write token for fleet-routing), reports-token (fleet:read, fleet-tracking's reports), weekly-report-token (admin, the weekly report CronJob)"
    archive = "JSON: access-key-id, secret-access-key (fleet-tracking's archive keys, instead of its IRSA role)"
  }
}

variable "log_retention_days" {
  type    = number
  default = 365
}

# Empty: prod pulls the images envs/dev's repositories hold (same account); list the images when prod
# has an account of its own.
variable "image_repositories" {
  type    = set(string)
  default = []
}
