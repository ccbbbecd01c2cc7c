output "cluster_arn" {
  description = "ARN of the MSK cluster."
  value       = aws_msk_cluster.this.arn
}

output "bootstrap_servers" {
  description = "SASL/SCRAM-over-TLS bootstrap brokers (DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS)."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_scram
}

output "bootstrap_servers_iam" {
  description = "IAM-over-TLS bootstrap brokers, when IAM authentication is on."
  value       = var.iam_authentication ? aws_msk_cluster.this.bootstrap_brokers_sasl_iam : null
}

output "security_protocol" {
  description = "Kafka security.protocol the clients must use (DRIFTLINE_KAFKA_SECURITY_PROTOCOL)."
  value       = "SASL_SSL"
}

output "sasl_mechanism" {
  description = "SASL mechanism of bootstrap_servers (DRIFTLINE_KAFKA_SASL_MECHANISM)."
  value       = "SCRAM-SHA-512"
}

output "sasl_username" {
  description = "SASL/SCRAM user name (DRIFTLINE_KAFKA_SASL_USERNAME)."
  value       = local.scram_username
}

output "sasl_secret_arn" {
  description = "Secrets Manager secret holding {username, password}; ECS injects its password key as DRIFTLINE_KAFKA_SASL_PASSWORD."
  value       = aws_secretsmanager_secret.scram.arn
}

output "kms_key_arn" {
  description = "KMS key of the cluster's storage and of the SCRAM secret (tasks need kms:Decrypt to read the secret)."
  value       = aws_kms_key.kafka.arn
}

output "security_group_id" {
  description = "Security group of the brokers."
  value       = aws_security_group.brokers.id
}

output "replication_factor" {
  description = "Default replication factor of new topics."
  value       = local.replication_factor
}
