# What makes prod prod: a NAT gateway per AZ, bigger brokers, multi-AZ database,
# HTTPS only, deletion protection, backups, longer log retention, serving autoscaling.
# The rest of the environment is modules/platform, which dev and prod share.
variable "certificate_arn" {
  description = "ACM certificate of the load balancer's HTTPS listeners (required in prod)."
  type        = string

  validation {
    condition     = startswith(var.certificate_arn, "arn:")
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

locals {
  environment = "prod"
}

module "platform" {
  source = "../../modules/platform"

  environment            = local.environment
  vpc_cidr               = "10.41.0.0/16"
  single_nat_gateway     = false
  kafka_brokers          = 3
  kafka_instance_type    = "kafka.m7g.large"
  kafka_volume_gb        = 500
  db_instance_class      = "db.m7g.large"
  db_multi_az            = true
  deletion_protection    = true
  force_destroy          = false
  point_in_time_recovery = true
  certificate_arn        = var.certificate_arn
  log_retention_days     = 90
  training_cpu           = 4096
  training_memory        = 16384
  serving_min            = 2
  serving_max            = 10

  region                       = var.region
  azs                          = var.azs
  image_tag                    = var.image_tag
  kafka_scram_password         = var.kafka_scram_password
  kafka_scram_password_version = var.kafka_scram_password_version
  api_tokens                   = var.api_tokens
  api_tokens_version           = var.api_tokens_version
  allowed_ingress_cidrs        = var.allowed_ingress_cidrs
  alarm_emails                 = var.alarm_emails
  feast_project                = var.feast_project
  feature_views                = var.feature_views
}
