output "arns" {
  description = "Secret ARN by name."
  value       = { for n, s in aws_secretsmanager_secret.this : n => s.arn }
}

output "names" {
  description = "Full secret name by short name (External Secrets remoteRef.key)."
  value       = { for n, s in aws_secretsmanager_secret.this : n => s.name }
}

output "kms_key_arn" {
  description = "KMS key of the secrets."
  value       = aws_kms_key.this.arn
}
