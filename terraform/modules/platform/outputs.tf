output "environment" {
  description = "Name of the environment."
  value       = var.environment
}

output "region" {
  description = "AWS region of the environment."
  value       = var.region
}

output "service_environment" {
  description = "DRIFTLINE_* environment of every service container (no secrets)."
  value       = local.service_environment
}

output "service_secrets" {
  description = "Environment variables filled from Secrets Manager: name => secret ARN[:json key::]."
  value       = local.service_secrets
}

output "service_urls" {
  description = "Public URL of each service's API through the load balancer."
  value       = module.services.service_urls
}

output "internal_service_urls" {
  description = "URL of each service from inside the cluster (ECS Service Connect)."
  value       = module.services.internal_service_urls
}

output "listener_protocols" {
  description = "Protocol of each public service's listener (HTTPS with a certificate)."
  value       = module.services.listener_protocols
}

output "nat_gateway_count" {
  description = "How many NAT gateways carry the private subnets' egress."
  value       = module.network.nat_gateway_count
}

output "kafka_bootstrap_servers" {
  description = "SASL/SCRAM-over-TLS bootstrap brokers."
  value       = module.kafka.bootstrap_servers
}

output "kafka_security_protocol" {
  description = "Kafka security.protocol of the clients."
  value       = module.kafka.security_protocol
}

output "artifact_bucket_name" {
  description = "Name of the model artifact bucket."
  value       = module.storage.artifact_bucket_name
}

output "artifact_store_url" {
  description = "Root URL of the model artifact store."
  value       = module.storage.artifact_store_url
}

output "offline_store_url" {
  description = "Root URL of the offline data."
  value       = module.storage.offline_store_url
}

output "feast_online_store" {
  description = "The `online_store` block of Feast's feature_store.yaml."
  value       = module.online_store.feast_online_store
}

output "online_table_names" {
  description = "DynamoDB online table by feature view."
  value       = module.online_store.table_names
}

output "registry_database_url" {
  description = "SQLAlchemy URL of the registry database, without its password."
  value       = module.registry_db.database_url
}

output "registry_database_secret_arn" {
  description = "Secret holding the registry database's credentials (managed by RDS)."
  value       = module.registry_db.password_secret_arn
}

output "ecr_repository_urls" {
  description = "ECR repository of each service's image."
  value       = module.services.ecr_repository_urls
}

output "cluster_name" {
  description = "ECS cluster of the services."
  value       = module.services.cluster_name
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.observability.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the environment's alarms."
  value       = module.observability.alarm_topic_arn
}
