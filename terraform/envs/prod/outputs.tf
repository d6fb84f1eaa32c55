# The outputs of modules/fleet-environment, under the same names (described there and in
# docs/deployment/terraform.md, "Outputs and where they go").

output "cluster_name" {
  value = module.environment.cluster_name
}

output "cluster_endpoint" {
  value = module.environment.cluster_endpoint
}

output "ingest_node_label" {
  value = module.environment.ingest_node_label
}

output "ingest_node_taint" {
  value = module.environment.ingest_node_taint
}

output "db_address" {
  value = module.environment.db_address
}

output "db_port" {
  value = module.environment.db_port
}

output "db_name" {
  value = module.environment.db_name
}

output "db_username" {
  value = module.environment.db_username
}

output "db_master_user_secret_arn" {
  value = module.environment.db_master_user_secret_arn
}

output "archive_bucket" {
  value = module.environment.archive_bucket
}

output "app_secret_names" {
  value = module.environment.app_secret_names
}

output "irsa_role_arns" {
  value = module.environment.irsa_role_arns
}

output "irsa_service_accounts" {
  value = module.environment.irsa_service_accounts
}

output "image_registry" {
  value = module.environment.image_registry
}

output "image_repository_urls" {
  value = module.environment.image_repository_urls
}
