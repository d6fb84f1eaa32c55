# Everything of one Fleet environment on AWS: VPC, EKS (general + ingest node groups), IRSA roles,
# RDS PostgreSQL 15, the telemetry archive bucket, application secrets and the image repositories.
# envs/dev and envs/prod call it with their sizes (their variables); the services, broker and
# monitoring are deployed into the cluster by Argo CD (argocd/), not by Terraform.

locals {
  name = "fleet-${var.environment}"
}

module "network" {
  source = "../network"

  name                    = local.name
  region                  = var.region
  cidr_block              = var.vpc_cidr_block
  availability_zones      = var.availability_zones
  nat_gateway_per_az      = var.nat_gateway_per_az
  cluster_name            = local.name
  flow_log_retention_days = var.log_retention_days
}

module "eks" {
  source = "../eks"

  name                   = local.name
  kubernetes_version     = var.kubernetes_version
  vpc_id                 = module.network.vpc_id
  vpc_cidr_block         = module.network.vpc_cidr_block
  private_subnet_ids     = module.network.private_subnet_ids
  public_access_cidrs    = var.eks_public_access_cidrs
  log_retention_days     = var.log_retention_days
  general_instance_types = var.general_instance_types
  general_min_size       = var.general_min_size
  general_desired_size   = var.general_min_size
  general_max_size       = var.general_max_size
  ingest_instance_types  = var.ingest_instance_types
  ingest_min_size        = var.ingest_min_size
  ingest_desired_size    = var.ingest_min_size
  ingest_max_size        = var.ingest_max_size

  # EKS-managed add-ons; the EBS CSI driver (volumes of the broker and the dev database) runs with
  # its IRSA role.
  addons = var.eks_addons_enabled ? {
    vpc-cni            = {}
    coredns            = {}
    kube-proxy         = {}
    aws-ebs-csi-driver = { service_account_role_arn = module.iam.role_arns["ebs-csi"] }
  } : {}
}

module "postgres" {
  source = "../postgres"

  identifier                = local.name
  vpc_id                    = module.network.vpc_id
  private_subnet_ids        = module.network.private_subnet_ids
  client_security_group_ids = [module.eks.node_security_group_id]
  instance_class            = var.db_instance_class
  multi_az                  = var.db_multi_az
  backup_retention_days     = var.db_backup_retention_days
  deletion_protection       = var.deletion_protection
}

module "archive" {
  source = "../s3-archive"

  bucket_name        = var.archive_bucket_name
  glacier_after_days = var.archive_glacier_after_days
  force_destroy      = !var.deletion_protection
}

module "secrets" {
  source = "../secrets"

  prefix               = "fleet/${var.environment}/"
  secrets              = var.app_secrets
  recovery_window_days = var.deletion_protection ? 30 : 0
}

module "iam" {
  source = "../iam"

  name                = local.name
  region              = var.region
  oidc_provider_arn   = module.eks.oidc_provider_arn
  oidc_issuer         = module.eks.oidc_issuer
  archive_bucket_arn  = module.archive.bucket_arn
  archive_kms_key_arn = module.archive.kms_key_arn
  secret_arns         = concat(values(module.secrets.arns), [module.postgres.master_user_secret_arn])
  secret_kms_key_arns = [module.secrets.kms_key_arn, module.postgres.kms_key_arn]
}

# The pipeline (jenkins/Jenkinsfile) pushes every image once, to <registry>/fleet/<product>; dev and
# prod run the same images (promoted by tag), so the repositories are made by one environment of
# the account: dev (prod's image_repositories is empty unless prod has an account of its own; the
# ecr module then makes nothing and its outputs are empty).
module "images" {
  source = "../ecr"

  namespace    = "fleet"
  repositories = var.image_repositories
}
