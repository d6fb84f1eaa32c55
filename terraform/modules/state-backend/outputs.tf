output "bucket_name" {
  description = "State bucket (-backend-config bucket=...)."
  value       = aws_s3_bucket.this.id
}

output "lock_table_name" {
  description = "Lock table (-backend-config dynamodb_table=...)."
  value       = aws_dynamodb_table.lock.name
}

output "kms_key_arn" {
  description = "KMS key of the state objects (-backend-config kms_key_id=...)."
  value       = aws_kms_key.this.arn
}
