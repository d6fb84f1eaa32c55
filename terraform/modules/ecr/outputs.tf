output "repository_urls" {
  description = "Repository URL per image name (the charts' image.repository)."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.repository_url }
}

output "registry" {
  description = "Registry host of the repositories (docker login / image pull secret)."
  value       = length(aws_ecr_repository.this) > 0 ? split("/", values(aws_ecr_repository.this)[0].repository_url)[0] : null
}
