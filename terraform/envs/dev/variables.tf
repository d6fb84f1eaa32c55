# The inputs of modules/fleet-environment (described and validated there), with dev's values as
# defaults: the sizes of the environment. Override one with -var NAME=VALUE.

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "availability_zones" {
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b"]
}

variable "vpc_cidr_block" {
  type    = string
  default = "10.40.0.0/16"
}

variable "nat_gateway_per_az" {
  type    = bool
  default = false
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
  default = ["t3.large"]
}

variable "general_min_size" {
  type    = number
  default = 2
}

variable "general_max_size" {
  type    = number
  default = 3
}

variable "ingest_instance_types" {
  type    = list(string)
  default = ["c6i.large"]
}

variable "ingest_min_size" {
  type    = number
  default = 1
}

variable "ingest_max_size" {
  type    = number
  default = 2
}

variable "db_instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "db_multi_az" {
  type    = bool
  default = false
}

variable "db_backup_retention_days" {
  type    = number
  default = 7
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

variable "image_repositories" {
  type    = set(string)
  default = ["fleet-tracking", "fleet-control", "fleet-alerting", "fleet-health", "fleet-routing", "fleet-sim", "fleetctl", "fleet-mosquitto", "fleet-postgres"]
}
