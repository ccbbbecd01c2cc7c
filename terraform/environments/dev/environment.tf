# What makes dev dev: small, one NAT gateway, HTTP listeners, destroyable. The rest of
# the environment is modules/platform, which dev and prod share.
locals {
  environment = "dev"
}

module "platform" {
  source = "../../modules/platform"

  environment            = local.environment
  vpc_cidr               = "10.40.0.0/16"
  single_nat_gateway     = true
  kafka_brokers          = 3
  kafka_instance_type    = "kafka.t3.small"
  kafka_volume_gb        = 20
  db_instance_class      = "db.t4g.micro"
  db_multi_az            = false
  deletion_protection    = false
  force_destroy          = true
  point_in_time_recovery = false
  certificate_arn        = null
  log_retention_days     = 14
  training_cpu           = 1024
  training_memory        = 4096
  serving_min            = 1
  serving_max            = 2

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
