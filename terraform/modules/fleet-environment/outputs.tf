# What the charts and Argo CD values need (docs/deployment/terraform.md, "Outputs"); envs/dev and
# envs/prod pass each one through under the same name.

output "cluster_name" {
  description = "EKS cluster (aws eks update-kubeconfig --name <cluster_name>)."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Kubernetes API server URL (Argo CD cluster registration)."
  value       = module.eks.cluster_endpoint
}

output "ingest_node_label" {
  description = "Node label of the ingest pool: fleet-tracking's nodeSelector."
  value       = module.eks.ingest_node_label
}

output "ingest_node_taint" {
  description = "Taint of the ingest pool: fleet-tracking's toleration."
  value       = module.eks.ingest_node_taint
}

output "db_address" {
  description = "PostgreSQL host name: the charts' postgres.host (FLEET_POSTGRES_HOST)."
  value       = module.postgres.address
}

output "db_port" {
  description = "PostgreSQL port (FLEET_POSTGRES_PORT)."
  value       = module.postgres.port
}

output "db_name" {
  description = "Database name (FLEET_POSTGRES_DATABASE)."
  value       = module.postgres.database_name
}

output "db_username" {
  description = "Database user (FLEET_POSTGRES_USER)."
  value       = module.postgres.master_username
}

output "db_master_user_secret_arn" {
  description = "Secrets Manager secret with the generated password (JSON key `password`): source of the postgres-password Secret key."
  value       = module.postgres.master_user_secret_arn
}

output "archive_bucket" {
  description = "Telemetry archive bucket (fleet-tracking, issue #21)."
  value       = module.archive.bucket_name
}

output "app_secret_names" {
  description = "Secrets Manager names of the application secrets (External Secrets remoteRef.key)."
  value       = module.secrets.names
}

output "irsa_role_arns" {
  description = "IRSA role per service account (annotation eks.amazonaws.com/role-arn): fleet-tracking, external-secrets, ebs-csi."
  value       = module.iam.role_arns
}

output "irsa_service_accounts" {
  description = "The namespace/name of the service account each IRSA role trusts."
  value       = module.iam.service_accounts
}

output "image_registry" {
  description = "Registry host of the repositories (Jenkins ECR_REGISTRY; argocd/apps images.registry is <image_registry>/fleet)."
  value       = module.images.registry
}

output "image_repository_urls" {
  description = "ECR repository URL per service image (the charts' image.repository)."
  value       = module.images.repository_urls
}
