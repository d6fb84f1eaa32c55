# Fleet "prod" environment on AWS (modules/fleet-environment), sized for production: a NAT gateway
# per zone, a Multi-AZ database, a larger ingest pool, deletion protection everywhere; it pulls the
# images from the repositories envs/dev makes. The sizes are the defaults of variables.tf.

module "environment" {
  source = "../../modules/fleet-environment"

  region                     = var.region
  environment                = var.environment
  availability_zones         = var.availability_zones
  vpc_cidr_block             = var.vpc_cidr_block
  nat_gateway_per_az         = var.nat_gateway_per_az
  kubernetes_version         = var.kubernetes_version
  eks_public_access_cidrs    = var.eks_public_access_cidrs
  eks_addons_enabled         = var.eks_addons_enabled
  general_instance_types     = var.general_instance_types
  general_min_size           = var.general_min_size
  general_max_size           = var.general_max_size
  ingest_instance_types      = var.ingest_instance_types
  ingest_min_size            = var.ingest_min_size
  ingest_max_size            = var.ingest_max_size
  db_instance_class          = var.db_instance_class
  db_multi_az                = var.db_multi_az
  db_backup_retention_days   = var.db_backup_retention_days
  deletion_protection        = var.deletion_protection
  archive_bucket_name        = var.archive_bucket_name
  archive_glacier_after_days = var.archive_glacier_after_days
  app_secrets                = var.app_secrets
  log_retention_days         = var.log_retention_days
  image_repositories         = var.image_repositories
}
