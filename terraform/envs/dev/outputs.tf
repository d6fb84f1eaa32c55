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
  description = "Secrets Manager secret with the generated password (key `password`): source of the charts' postgres-password Secret key."
  value       = module.postgres.master_user_secret_arn
}

output "image_repository_urls" {
  description = "ECR repository URL per service image (the charts' image.repository)."
  value       = module.images.repository_urls
}
