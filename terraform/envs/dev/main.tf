# Fleet "dev" environment: what the suite needs outside Kubernetes. The cluster, its VPC and the
# MQTT broker are not created here (their ids come in as variables); the services themselves are
# deployed by Argo CD from charts/ (argocd/).

locals {
  name = "fleet-${var.environment}"
}

module "postgres" {
  #checkov:skip=CKV_AWS_157:dev runs single-AZ to halve the cost (db_multi_az); the module defaults to Multi-AZ.
  source = "../../modules/postgres"

  identifier                = local.name
  vpc_id                    = var.vpc_id
  private_subnet_ids        = var.private_subnet_ids
  client_security_group_ids = [var.cluster_security_group_id]
  instance_class            = var.db_instance_class
  multi_az                  = var.db_multi_az
  backup_retention_days     = var.db_backup_retention_days
  deletion_protection       = var.db_deletion_protection
}

module "images" {
  source = "../../modules/ecr"

  repositories = var.image_repositories
}
