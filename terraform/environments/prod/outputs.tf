output "environment" {
  description = "Name of the environment."
  value       = module.platform.environment
}

output "region" {
  description = "AWS region of the environment."
  value       = module.platform.region
}

output "service_environment" {
  description = "DRIFTLINE_* environment of every service container (no secrets)."
  value       = module.platform.service_environment
}

output "service_secrets" {
  description = "Environment variables filled from Secrets Manager: name => secret ARN[:json key::]."
  value       = module.platform.service_secrets
}

output "service_urls" {
  description = "Public URL of each service's API through the load balancer."
  value       = module.platform.service_urls
}

output "kafka_bootstrap_servers" {
  description = "SASL/SCRAM-over-TLS bootstrap brokers."
  value       = module.platform.kafka_bootstrap_servers
}

output "kafka_security_protocol" {
  description = "Kafka security.protocol of the clients."
  value       = module.platform.kafka_security_protocol
}

output "artifact_store_url" {
  description = "Root URL of the model artifact store."
  value       = module.platform.artifact_store_url
}

output "offline_store_url" {
  description = "Root URL of the offline data."
  value       = module.platform.offline_store_url
}

output "feast_online_store" {
  description = "The `online_store` block of Feast's feature_store.yaml."
  value       = module.platform.feast_online_store
}

output "online_table_names" {
  description = "DynamoDB online table by feature view."
  value       = module.platform.online_table_names
}

output "registry_database_url" {
  description = "SQLAlchemy URL of the registry database, without its password."
  value       = module.platform.registry_database_url
}

output "registry_database_secret_arn" {
  description = "Secret holding the registry database's credentials (managed by RDS)."
  value       = module.platform.registry_database_secret_arn
}

output "ecr_repository_urls" {
  description = "ECR repository of each service's image."
  value       = module.platform.ecr_repository_urls
}

output "cluster_name" {
  description = "ECS cluster of the services."
  value       = module.platform.cluster_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.platform.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the environment's alarms."
  value       = module.platform.alarm_topic_arn
}
