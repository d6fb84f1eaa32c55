output "role_arns" {
  description = "IRSA role ARN per use (fleet-tracking, external-secrets, ebs-csi): the eks.amazonaws.com/role-arn annotation of the service account."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "service_accounts" {
  description = "The namespace/name each role trusts."
  value       = { for k, sa in local.service_accounts : k => "${sa.namespace}/${sa.name}" }
}
