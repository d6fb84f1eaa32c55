output "bucket_name" {
  description = "State bucket (-backend-config bucket=...)."
  value       = module.bucket.bucket_name
}

output "lock_table_name" {
  description = "Lock table (-backend-config dynamodb_table=...)."
  value       = aws_dynamodb_table.lock.name
}

output "kms_key_arn" {
  description = "KMS key of the state objects (-backend-config kms_key_id=...)."
  value       = module.bucket.kms_key_arn
}
