# One Driftline environment on AWS: the compose profile's pieces as managed services,
# composed once for every environment (environments/dev, environments/prod), which
# differ only in the sizes, redundancy and protection they pass in.
# `terraform output -json | driftline config from-terraform -` turns the outputs into
# the services' DRIFTLINE_* configuration.

data "aws_caller_identity" "current" {}

locals {
  name = "driftline-${var.environment}"

  services = {
    ingestion  = { port = 8001 }
    features   = { port = 8002 }
    training   = { port = 8003, public = false, cpu = var.training_cpu, memory = var.training_memory }
    registry   = { port = 8004 }
    serving    = { port = 8005, desired_count = var.serving_min, max_count = var.serving_max }
    monitoring = { port = 8006 }
    retirement = { port = 8007 }
  }

  # What every container gets in its environment; secrets come through `service_secrets`.
  service_environment = {
    DRIFTLINE_PROFILE                 = "cloud"
    DRIFTLINE_LOG_JSON                = "true"
    DRIFTLINE_KAFKA_BOOTSTRAP_SERVERS = module.kafka.bootstrap_servers
    DRIFTLINE_KAFKA_SECURITY_PROTOCOL = module.kafka.security_protocol
    DRIFTLINE_KAFKA_SASL_MECHANISM    = module.kafka.sasl_mechanism
    DRIFTLINE_KAFKA_SASL_USERNAME     = module.kafka.sasl_username
    DRIFTLINE_ARTIFACT_STORE_URL      = module.storage.artifact_store_url
    DRIFTLINE_ARCHIVE_STORE_URL       = module.storage.archive_store_url
    DRIFTLINE_OFFLINE_STORE_URL       = module.storage.offline_store_url
    DRIFTLINE_FEATURES_URL            = module.services.internal_service_urls["features"]
    DRIFTLINE_REGISTRY_URL            = module.services.internal_service_urls["registry"]
    DRIFTLINE_SERVING_URL             = module.services.internal_service_urls["serving"]
    DRIFTLINE_REGISTRY_DATABASE_URL   = module.registry_db.database_url
    AWS_REGION                        = var.region
  }

  # Environment variables ECS fills from Secrets Manager: name => secret ARN[:json key::].
  service_secrets = {
    DRIFTLINE_KAFKA_SASL_PASSWORD        = "${module.kafka.sasl_secret_arn}:password::"
    DRIFTLINE_API_TOKENS                 = aws_secretsmanager_secret.api_tokens.arn
    DRIFTLINE_REGISTRY_DATABASE_PASSWORD = "${module.registry_db.password_secret_arn}:password::"
  }
}

module "network" {
  source = "../network"

  name               = local.name
  cidr               = var.vpc_cidr
  azs                = var.azs
  single_nat_gateway = var.single_nat_gateway
}

module "kafka" {
  source = "../kafka"

  name                    = local.name
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.private_subnet_ids
  allowed_security_groups = { services = module.services.tasks_security_group_id }
  broker_nodes            = var.kafka_brokers
  instance_type           = var.kafka_instance_type
  volume_size_gb          = var.kafka_volume_gb
  scram_password          = var.kafka_scram_password
  scram_password_version  = var.kafka_scram_password_version
}

module "storage" {
  source = "../storage"

  name          = "${local.name}-${data.aws_caller_identity.current.account_id}"
  force_destroy = var.force_destroy
}

module "online_store" {
  source = "../online_store"

  feast_project          = "${var.feast_project}_${var.environment}"
  feature_views          = var.feature_views
  point_in_time_recovery = var.point_in_time_recovery
  deletion_protection    = var.deletion_protection
}

module "registry_db" {
  source = "../registry_db"

  name                    = "${local.name}-registry"
  vpc_id                  = module.network.vpc_id
  subnet_ids              = module.network.private_subnet_ids
  allowed_security_groups = { services = module.services.tasks_security_group_id }
  instance_class          = var.db_instance_class
  multi_az                = var.db_multi_az
  deletion_protection     = var.deletion_protection
  skip_final_snapshot     = var.force_destroy
}

resource "aws_secretsmanager_secret" "api_tokens" {
  name_prefix = "${local.name}-api-tokens-"
  description = "Bearer tokens and roles of the Driftline APIs (DRIFTLINE_API_TOKENS)"
}

resource "aws_secretsmanager_secret_version" "api_tokens" {
  secret_id                = aws_secretsmanager_secret.api_tokens.id
  secret_string_wo         = var.api_tokens
  secret_string_wo_version = var.api_tokens_version
}

module "services" {
  source = "../services"

  name                  = local.name
  vpc_id                = module.network.vpc_id
  public_subnet_ids     = module.network.public_subnet_ids
  private_subnet_ids    = module.network.private_subnet_ids
  image_tag             = var.image_tag
  allowed_ingress_cidrs = var.allowed_ingress_cidrs
  certificate_arn       = var.certificate_arn
  log_retention_days    = var.log_retention_days

  services = {
    for k, s in local.services : k => merge(s, {
      environment = { "DRIFTLINE_${upper(k)}_HOST" = "0.0.0.0", "DRIFTLINE_${upper(k)}_PORT" = tostring(s.port) }
    })
  }

  environment = local.service_environment
  secrets     = local.service_secrets
  secret_arns = [
    module.kafka.sasl_secret_arn,
    aws_secretsmanager_secret.api_tokens.arn,
    module.registry_db.password_secret_arn,
  ]
  kms_key_arns = [module.kafka.kms_key_arn]

  task_policy_arns = {
    storage      = module.storage.access_policy_arn
    online_store = module.online_store.access_policy_arn
  }
}

module "observability" {
  source = "../observability"

  name                      = local.name
  cluster_name              = module.services.cluster_name
  service_names             = module.services.service_names
  log_group_names           = module.services.log_group_names
  load_balancer_arn_suffix  = module.services.load_balancer_arn_suffix
  target_group_arn_suffixes = module.services.target_group_arn_suffixes
  kafka_cluster_name        = local.name
  kafka_broker_count        = var.kafka_brokers
  db_instance_id            = "${local.name}-registry"
  alarm_emails              = var.alarm_emails
}
