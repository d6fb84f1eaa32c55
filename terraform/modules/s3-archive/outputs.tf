output "bucket_name" {
  description = "Name of the archive bucket."
  value       = module.bucket.bucket_name
}

output "bucket_arn" {
  description = "ARN of the archive bucket."
  value       = module.bucket.bucket_arn
}

output "kms_key_arn" {
  description = "KMS key of the archive objects."
  value       = module.bucket.kms_key_arn
}
