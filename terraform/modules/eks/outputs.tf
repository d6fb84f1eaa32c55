output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "Kubernetes API server URL."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority" {
  description = "Base64 CA certificate of the API server."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster (federated principal of IRSA roles)."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer" {
  description = "OIDC issuer host and path, without https:// (the prefix of IRSA condition keys)."
  value       = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

output "node_security_group_id" {
  description = "Security group of the nodes and their pods (what RDS admits)."
  value       = aws_security_group.node.id
}

output "cluster_security_group_id" {
  description = "Security group of the control plane ENIs."
  value       = aws_security_group.cluster.id
}

output "ingest_node_label" {
  description = "Node label of the ingest pool, key=value (fleet-tracking's nodeSelector)."
  value       = "${var.ingest_label_key}=${var.ingest_label_value}"
}

output "ingest_node_taint" {
  description = "Taint of the ingest pool, key=value:effect (fleet-tracking's toleration)."
  value       = "${var.ingest_taint_key}=true:NoSchedule"
}
