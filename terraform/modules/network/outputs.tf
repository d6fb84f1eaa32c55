output "vpc_id" {
  description = "Id of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets, one per zone (internet-facing load balancers, NAT gateways)."
  value       = [for az in var.availability_zones : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "Private subnets, one per zone (EKS nodes, RDS, internal load balancers)."
  value       = [for az in var.availability_zones : aws_subnet.private[az].id]
}

output "nat_gateway_public_ips" {
  description = "Public addresses the private subnets reach the internet from (for allow-lists of webhook receivers)."
  value       = [for n in aws_nat_gateway.this : n.public_ip]
}
