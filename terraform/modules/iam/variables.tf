variable "name" {
  description = "Prefix of the role names (the cluster name)."
  type        = string
}

variable "region" {
  description = "Region of the secrets (kms:ViaService condition)."
  type        = string
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (modules/eks output oidc_provider_arn)."
  type        = string
}

variable "oidc_issuer" {
  description = "Issuer host and path without https:// (modules/eks output oidc_issuer)."
  type        = string

  validation {
    condition     = !startswith(var.oidc_issuer, "https://")
    error_message = "oidc_issuer must not start with https:// (IAM condition keys use the bare host/path)."
  }
}

variable "tracking_service_account" {
  description = "Service account fleet-tracking runs as."
  type        = object({ namespace = string, name = string })
  default     = { namespace = "fleet", name = "fleet-tracking" }
}

variable "external_secrets_service_account" {
  description = "Service account of the External Secrets Operator controller."
  type        = object({ namespace = string, name = string })
  default     = { namespace = "external-secrets", name = "external-secrets" }
}

variable "ebs_csi_service_account" {
  description = "Service account of the EBS CSI controller (the EKS add-on's default)."
  type        = object({ namespace = string, name = string })
  default     = { namespace = "kube-system", name = "ebs-csi-controller-sa" }
}

variable "archive_bucket_arn" {
  description = "ARN of the telemetry archive bucket (modules/s3-archive)."
  type        = string
}

variable "archive_prefix" {
  description = "Key prefix fleet-tracking may read and write in the archive bucket: its FLEET_ARCHIVE_PREFIX (default fleet) + /, which holds telemetry/ and reports/."
  type        = string
  default     = "fleet/"

  validation {
    condition     = length(var.archive_prefix) > 0 && endswith(var.archive_prefix, "/")
    error_message = "archive_prefix must be a non-empty prefix ending in / (an empty one would grant the whole bucket)."
  }
}

variable "archive_kms_key_arn" {
  description = "KMS key of the archive bucket."
  type        = string
}

variable "secret_arns" {
  description = "Secrets Manager secrets External Secrets may read (the environment's, by ARN; no wildcards)."
  type        = list(string)

  validation {
    condition     = length(var.secret_arns) > 0 && alltrue([for a in var.secret_arns : !endswith(a, "*")])
    error_message = "secret_arns must list at least one secret ARN, without wildcards."
  }
}

variable "secret_kms_key_arns" {
  description = "KMS keys that encrypt those secrets."
  type        = list(string)
}

variable "tags" {
  description = "Tags added to every role."
  type        = map(string)
  default     = {}
}
