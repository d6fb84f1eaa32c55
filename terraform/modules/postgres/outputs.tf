output "address" {
  description = "Host name of the instance (FLEET_POSTGRES_HOST; the name its TLS certificate is issued for)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "PostgreSQL port (FLEET_POSTGRES_PORT)."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Database name (FLEET_POSTGRES_DATABASE)."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Master user name (FLEET_POSTGRES_USER)."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret holding the generated master password (JSON keys username, password; rotated by RDS)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}

output "kms_key_arn" {
  description = "KMS key encrypting storage, Performance Insights and the master user secret."
  value       = aws_kms_key.this.arn
}
