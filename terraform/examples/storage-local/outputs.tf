output "artifact_bucket_name" {
  description = "Name of the model artifact bucket."
  value       = module.storage.artifact_bucket_name
}

output "offline_bucket_name" {
  description = "Name of the offline data bucket."
  value       = module.storage.offline_bucket_name
}

output "artifact_store_url" {
  description = "Root URL of the artifact store."
  value       = module.storage.artifact_store_url
}

output "archive_store_url" {
  description = "Where retired artifacts are moved."
  value       = module.storage.archive_store_url
}

output "offline_store_url" {
  description = "Root URL of the offline data."
  value       = module.storage.offline_store_url
}

output "online_table_names" {
  description = "Online table name by feature view."
  value       = module.online_store.table_names
}
