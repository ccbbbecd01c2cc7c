output "table_names" {
  description = "Online table name by feature view."
  value       = { for k, t in aws_dynamodb_table.feature_view : k => t.name }
}

output "table_arns" {
  description = "Online table ARN by feature view."
  value       = { for k, t in aws_dynamodb_table.feature_view : k => t.arn }
}

output "region" {
  description = "Region of the online tables (Feast's dynamodb online store `region`)."
  value       = data.aws_region.current.name
}

output "table_name_template" {
  description = "Feast's `table_name_template` matching the tables' names."
  value       = "{project}.{table_name}"
}

output "feast_online_store" {
  description = "The `online_store` block of Feast's feature_store.yaml for these tables."
  value = {
    type                = "dynamodb"
    region              = data.aws_region.current.name
    table_name_template = "{project}.{table_name}"
  }
}

output "access_policy_arn" {
  description = "IAM policy for the services' task role: rows and tables under the project's prefix."
  value       = aws_iam_policy.access.arn
}
