output "state_bucket" {
  description = "State bucket: -backend-config=\"bucket=...\" of envs/dev and envs/prod."
  value       = module.state.bucket_name
}

output "lock_table" {
  description = "Lock table (backend.hcl dynamodb_table)."
  value       = module.state.lock_table_name
}
