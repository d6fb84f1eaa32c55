variable "name" {
  description = "Cluster name and prefix of the module's resources."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane (the charts are validated against 1.30 and 1.33)."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.(3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be 1.30 or newer, as major.minor (e.g. 1.33)."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string
}

variable "vpc_cidr_block" {
  description = "IPv4 range of the VPC (nodes may reach anything inside it)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (two zones at least) for the control plane ENIs and the nodes."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two availability zones."
  }
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the Kubernetes API over the internet; empty = private endpoint only (reach it from inside the VPC, a VPN or a bastion)."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.public_access_cidrs, "0.0.0.0/0")
    error_message = "public_access_cidrs must not contain 0.0.0.0/0: list the operators' and CI's addresses."
  }
}

variable "node_https_egress_cidrs" {
  description = "Where nodes and pods may open HTTPS connections outside the VPC (ECR, AWS APIs, webhook receivers)."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "control_plane_to_node_ports" {
  description = "TCP ports the control plane may open on the nodes: kubelet (10250) and the ports webhooks / extension API servers listen on in pods."
  type        = list(number)
  default     = [443, 4443, 6443, 8443, 9443, 10250]
}

variable "log_retention_days" {
  description = "Days the control-plane logs are kept."
  type        = number
  default     = 365
}

variable "node_disk_size_gb" {
  description = "Root volume of every node (GiB, gp3, encrypted)."
  type        = number
  default     = 50
}

variable "general_instance_types" {
  description = "Instance types of the general node group."
  type        = list(string)
  default     = ["t3.large"]
}

variable "general_min_size" {
  description = "Minimum nodes of the general group."
  type        = number
  default     = 2
}

variable "general_desired_size" {
  description = "Nodes of the general group at creation (the autoscaler moves it afterwards)."
  type        = number
  default     = 2
}

variable "general_max_size" {
  description = "Maximum nodes of the general group."
  type        = number
  default     = 4
}

variable "ingest_instance_types" {
  description = "Instance types of the ingest node group (fleet-tracking: CPU-bound JSON decoding and batched inserts)."
  type        = list(string)
  default     = ["c6i.large"]
}

variable "ingest_min_size" {
  description = "Minimum nodes of the ingest group."
  type        = number
  default     = 1
}

variable "ingest_desired_size" {
  description = "Nodes of the ingest group at creation."
  type        = number
  default     = 2
}

variable "ingest_max_size" {
  description = "Maximum nodes of the ingest group (room for fleet-tracking's HPA maximum)."
  type        = number
  default     = 4

  validation {
    condition     = var.ingest_max_size >= 1
    error_message = "ingest_max_size must be at least 1."
  }
}

variable "ingest_label_key" {
  description = "Node label of the ingest pool (fleet-tracking's nodeSelector key)."
  type        = string
  default     = "fleet.dev/pool"
}

variable "ingest_label_value" {
  description = "Value of the ingest pool's node label."
  type        = string
  default     = "ingest"
}

variable "ingest_taint_key" {
  description = "Taint key of the ingest pool (value \"true\", effect NoSchedule; fleet-tracking tolerates it)."
  type        = string
  default     = "fleet.dev/ingest"
}

variable "addons" {
  description = "EKS managed add-ons by name, with an optional version (default: the one EKS picks) and IRSA role."
  type = map(object({
    version                  = optional(string)
    service_account_role_arn = optional(string)
  }))
  default = {}
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
