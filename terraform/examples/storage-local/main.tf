# The storage pieces of an environment (S3 buckets, DynamoDB online tables) against an
# AWS-compatible endpoint on this machine: the apply/destroy round trip of tests/infra.
# Credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).

provider "aws" {
  region                      = var.region
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    s3       = var.endpoint
    dynamodb = var.endpoint
    iam      = var.endpoint
    sts      = var.endpoint
  }
}

module "storage" {
  source = "../../modules/storage"

  name          = var.name
  force_destroy = true
  # moto cannot evaluate policy conditions: it would apply the deny-non-TLS statement
  # to every request. The round trip still runs over HTTPS.
  enforce_tls = false
  tags        = { Environment = "local" }
}

module "online_store" {
  source = "../../modules/online_store"

  feast_project          = var.feast_project
  feature_views          = var.feature_views
  point_in_time_recovery = false
  tags                   = { Environment = "local" }
}
