# IAM roles for Kubernetes service accounts (IRSA). Each role trusts exactly one service account of
# the cluster (the `sub` claim) with the STS audience, and its policy names its resources by ARN.
#   fleet-tracking    read/write the archive bucket (objects under the archive prefix: telemetry and
#                     reports), use its key. prod gives the service static keys of an IAM user with
#                     this role's policy instead (docs/deployment/cluster.md#archive-credentials)
#   external-secrets  read the environment's Secrets Manager secrets (and decrypt them)
#   ebs-csi           the EBS CSI driver (the broker's and dev database's volumes), AWS managed policy

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  service_accounts = {
    fleet-tracking   = var.tracking_service_account
    external-secrets = var.external_secrets_service_account
    ebs-csi          = var.ebs_csi_service_account
  }
}

data "aws_iam_policy_document" "trust" {
  for_each = local.service_accounts

  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${each.value.namespace}:${each.value.name}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${var.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.service_accounts

  name                 = "${var.name}-${each.key}"
  description          = "IRSA: ${each.value.namespace}/${each.value.name} in ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = 3600
  tags                 = var.tags
}

# fleet-tracking: the archive and its reports (issue #21). Objects only under the prefix (Put, Get for
# reads and ranged reads, Delete for strays of an interrupted day); listing only of the prefix; no
# bucket-level changes, no deletes of versions.
data "aws_iam_policy_document" "tracking" {
  statement {
    sid       = "ListArchivePrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.archive_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.archive_prefix}*"]
    }
  }
  statement {
    sid       = "ReadWriteArchiveObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${var.archive_bucket_arn}/${var.archive_prefix}*"]
  }
  statement {
    sid       = "ArchiveKey"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.archive_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "tracking" {
  name   = "archive"
  role   = aws_iam_role.this["fleet-tracking"].id
  policy = data.aws_iam_policy_document.tracking.json
}

data "aws_iam_policy_document" "external_secrets" {
  statement {
    sid       = "ReadEnvironmentSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = var.secret_arns
  }
  statement {
    sid       = "DecryptEnvironmentSecrets"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = var.secret_kms_key_arns
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "external_secrets" {
  name   = "read-secrets"
  role   = aws_iam_role.this["external-secrets"].id
  policy = data.aws_iam_policy_document.external_secrets.json
}

resource "aws_iam_role_policy_attachment" "ebs_csi" {
  role       = aws_iam_role.this["ebs-csi"].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}
