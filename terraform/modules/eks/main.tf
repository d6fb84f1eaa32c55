# The EKS cluster of one Fleet environment: control plane in the private subnets (API endpoint
# private, public only for the listed CIDRs), Kubernetes Secrets envelope-encrypted with a KMS key,
# every control-plane log type to CloudWatch, the OIDC provider for IAM roles for service accounts
# (modules/iam), and two managed node groups:
#   general  everything else (broker, control, alerting, health, routing, cluster add-ons)
#   ingest   nodes reserved for fleet-tracking: label fleet.dev/pool=ingest and taint
#            fleet.dev/ingest=true:NoSchedule, so only pods that tolerate it (and select it) land there
# Nodes run with a security group of their own (launch template), IMDSv2 only with a hop limit of 1
# (pods cannot borrow the node's instance role), and encrypted root volumes.

data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition
  node_groups = {
    general = {
      instance_types = var.general_instance_types
      min_size       = var.general_min_size
      desired_size   = var.general_desired_size
      max_size       = var.general_max_size
      labels         = { "fleet.dev/pool" = "general" }
      taints         = []
    }
    ingest = {
      instance_types = var.ingest_instance_types
      min_size       = var.ingest_min_size
      desired_size   = var.ingest_desired_size
      max_size       = var.ingest_max_size
      labels         = { (var.ingest_label_key) = var.ingest_label_value }
      taints         = [{ key = var.ingest_taint_key, value = "true", effect = "NO_SCHEDULE" }]
    }
  }
}

# --- Secrets encryption -----------------------------------------------------------------------
resource "aws_kms_key" "secrets" {
  #checkov:skip=CKV2_AWS_64:The default key policy (the account's IAM decides who may use the key) is intended; the cluster role uses it through its IAM policy below.
  description             = "${var.name}: envelope encryption of Kubernetes Secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${var.name}-eks-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}

# --- Control plane ----------------------------------------------------------------------------
resource "aws_iam_role" "cluster" {
  name = "${var.name}-eks-cluster"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Principal = { Service = "eks.amazonaws.com" }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_iam_role_policy" "cluster_kms" {
  name = "secrets-encryption"
  role = aws_iam_role.cluster.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"]
      Resource = [aws_kms_key.secrets.arn]
    }]
  })
}

# EKS writes to this group; created here so that its retention is ours, not "never expire".
resource "aws_cloudwatch_log_group" "cluster" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest with service keys; a customer key would need a key policy naming the account and region, which this offline-planned module does not look up.
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_security_group" "cluster" {
  name        = "${var.name}-eks-cluster"
  description = "EKS control plane ENIs of ${var.name}: HTTPS from the nodes"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = "${var.name}-eks-cluster" })
}

resource "aws_security_group" "node" {
  name        = "${var.name}-eks-node"
  description = "EKS nodes of ${var.name} (and their pods: VPC CNI gives pods the node security group)"
  vpc_id      = var.vpc_id
  tags = merge(var.tags, {
    Name                                = "${var.name}-eks-node"
    "kubernetes.io/cluster/${var.name}" = "owned"
  })
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_nodes" {
  security_group_id            = aws_security_group.cluster.id
  description                  = "Kubernetes API from the nodes"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
}

# The control plane calls the kubelets and the webhooks / extension API servers running in pods
# (KEDA's metrics server, External Secrets' and Argo Rollouts' webhooks...): only those ports.
resource "aws_vpc_security_group_egress_rule" "cluster_to_nodes" {
  for_each = toset([for p in var.control_plane_to_node_ports : tostring(p)])

  security_group_id            = aws_security_group.cluster.id
  description                  = "Kubelet, webhooks and extension API servers on the nodes"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
}

resource "aws_vpc_security_group_ingress_rule" "node_from_cluster" {
  for_each = toset([for p in var.control_plane_to_node_ports : tostring(p)])

  security_group_id            = aws_security_group.node.id
  description                  = "Control plane to kubelet, webhooks and extension API servers"
  referenced_security_group_id = aws_security_group.cluster.id
  ip_protocol                  = "tcp"
  from_port                    = tonumber(each.value)
  to_port                      = tonumber(each.value)
}

# Node to node and pod to pod (every protocol: DNS over UDP, MQTT, HTTP, the CNI's health checks).
resource "aws_vpc_security_group_ingress_rule" "node_from_nodes" {
  security_group_id            = aws_security_group.node.id
  description                  = "Nodes and pods of the cluster"
  referenced_security_group_id = aws_security_group.node.id
  ip_protocol                  = "-1"
}

# Egress: anything inside the VPC (other nodes, the control plane, RDS, the DNS resolver) and HTTPS
# out (ECR, the AWS APIs, STS for IRSA, webhook receivers). Nothing else leaves the VPC.
resource "aws_vpc_security_group_egress_rule" "node_to_vpc" {
  security_group_id = aws_security_group.node.id
  description       = "Anything inside the VPC"
  cidr_ipv4         = var.vpc_cidr_block
  ip_protocol       = "-1"
}

resource "aws_vpc_security_group_egress_rule" "node_https" {
  for_each = toset(var.node_https_egress_cidrs)

  security_group_id = aws_security_group.node.id
  description       = "HTTPS out: ECR, AWS APIs, webhook receivers"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_eks_cluster" "this" {
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = var.private_subnet_ids
    security_group_ids      = [aws_security_group.cluster.id]
    endpoint_private_access = true
    endpoint_public_access  = length(var.public_access_cidrs) > 0
    public_access_cidrs     = length(var.public_access_cidrs) > 0 ? var.public_access_cidrs : null
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.secrets.arn
    }
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  tags = var.tags

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_kms,
    aws_cloudwatch_log_group.cluster,
  ]
}

# IAM roles for service accounts: STS trusts tokens the cluster's OIDC issuer signs. AWS no longer
# checks thumbprints for this issuer, so none is pinned (and none has to be fetched at plan time).
resource "aws_iam_openid_connect_provider" "this" {
  url            = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list = ["sts.amazonaws.com"]
  tags           = var.tags
}

# --- Nodes ------------------------------------------------------------------------------------
resource "aws_iam_role" "node" {
  name = "${var.name}-eks-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
  tags = var.tags
}

# Worker basics, image pulls, and the VPC CNI (which runs on every node with the node's role).
resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset(["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.value}"
}

resource "aws_launch_template" "node" {
  for_each = local.node_groups

  name                   = "${var.name}-${each.key}"
  description            = "EKS ${each.key} nodes of ${var.name}"
  vpc_security_group_ids = [aws_security_group.node.id]
  update_default_version = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.node_disk_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = "${var.name}-${each.key}" })
  }

  tags = var.tags
}

resource "aws_eks_node_group" "this" {
  for_each = local.node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = each.key
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = var.private_subnet_ids
  ami_type        = "AL2023_x86_64_STANDARD"
  capacity_type   = "ON_DEMAND"
  instance_types  = each.value.instance_types
  labels          = each.value.labels

  launch_template {
    id      = aws_launch_template.node[each.key].id
    version = aws_launch_template.node[each.key].latest_version
  }

  scaling_config {
    min_size     = each.value.min_size
    desired_size = each.value.desired_size
    max_size     = each.value.max_size
  }

  update_config {
    max_unavailable = 1
  }

  dynamic "taint" {
    for_each = each.value.taints
    content {
      key    = taint.value.key
      value  = taint.value.value
      effect = taint.value.effect
    }
  }

  tags = merge(var.tags, { "fleet.dev/pool" = each.key })

  # The cluster autoscaler (or Karpenter) changes desired_size; Terraform keeps min and max.
  lifecycle {
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}

# Managed add-ons (vpc-cni, coredns, kube-proxy, aws-ebs-csi-driver...), each optionally with the
# IRSA role its controller runs as.
resource "aws_eks_addon" "this" {
  for_each = var.addons

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = each.value.version
  service_account_role_arn    = each.value.service_account_role_arn
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"
  tags                        = var.tags

  depends_on = [aws_eks_node_group.this]
}
