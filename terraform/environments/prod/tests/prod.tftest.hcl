mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "000000000000" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  image_tag             = "0123abc"
  kafka_scram_password  = "a-test-only-password-0123456789"
  api_tokens            = "test-only-token-0123456789:admin"
  allowed_ingress_cidrs = ["10.0.0.0/8"]
  certificate_arn       = "arn:aws:acm:eu-west-1:000000000000:certificate/test"
}

run "configures_every_service_for_the_cloud_profile" {
  command = plan

  assert {
    condition     = output.service_environment["DRIFTLINE_PROFILE"] == "cloud" && output.service_environment["DRIFTLINE_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    error_message = "services must run the cloud profile over SASL_SSL"
  }

  assert {
    condition     = output.service_environment["DRIFTLINE_FEATURES_URL"] == "http://features:8002"
    error_message = "services reach each other by Service Connect name"
  }

  assert {
    condition     = output.service_environment["DRIFTLINE_ARTIFACT_STORE_URL"] == "s3://driftline-prod-000000000000-artifacts/models"
    error_message = "artifacts go to the environment's bucket"
  }

  assert {
    condition     = toset(keys(output.service_secrets)) == toset(["DRIFTLINE_KAFKA_SASL_PASSWORD", "DRIFTLINE_API_TOKENS", "DRIFTLINE_REGISTRY_DATABASE_PASSWORD"])
    error_message = "every secret comes from Secrets Manager"
  }

  assert {
    condition     = !anytrue([for k, _ in output.service_environment : strcontains(k, "PASSWORD") || strcontains(k, "TOKEN")])
    error_message = "no secret in the plain environment"
  }
}

run "runs_all_seven_services_with_training_off_the_load_balancer" {
  command = plan

  assert {
    condition     = length(module.services.internal_service_urls) == 7
    error_message = "expected seven services"
  }

  assert {
    condition     = !contains(keys(module.services.service_urls), "training")
    error_message = "training is a worker"
  }
}

run "keeps_prod_redundant_and_protected" {
  command = plan

  assert {
    condition     = module.network.nat_gateway_count == 3
    error_message = "prod has a NAT gateway per AZ"
  }

  assert {
    condition     = module.storage.artifact_bucket_name == "driftline-prod-000000000000-artifacts"
    error_message = "unexpected bucket name"
  }
}

run "serves_https_only" {
  command = plan

  assert {
    condition     = alltrue([for l in module.services.listener_protocols : l == "HTTPS"])
    error_message = "prod listeners must be HTTPS"
  }
}

run "refuses_to_start_without_a_certificate" {
  command = plan

  variables {
    certificate_arn = "not-an-arn"
  }

  expect_failures = [var.certificate_arn]
}
