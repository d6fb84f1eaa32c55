# The environment's application secrets in Secrets Manager, encrypted with a key of their own:
# empty containers named <prefix><name>; an operator puts the values (see
# docs/deployment/terraform.md), External Secrets Operator copies them into Kubernetes Secrets.
# Terraform never holds the values, so they are in neither the configuration nor the state.
# (The database password is not here: RDS makes and rotates it in a secret of its own.)

resource "aws_kms_key" "this" {
  #checkov:skip=CKV2_AWS_64:The default key policy (the account's IAM decides who may use the key) is intended; only the external-secrets IRSA role is granted decrypt, through Secrets Manager (modules/iam).
  description             = "${var.prefix}: application secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_secretsmanager_secret" "this" {
  for_each = var.secrets

  #checkov:skip=CKV2_AWS_57:Broker passwords and API tokens are rotated by an operator (new value, External Secrets refresh, rolling restart); Secrets Manager rotation would need a Lambda per secret kind that also changes the broker's dynsec state.
  name                    = "${var.prefix}${each.key}"
  description             = each.value
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}
