# What every environment gets from the platform, whatever its sizes. What tells the
# environments apart is tested in environments/*/tests.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  environment           = "test"
  region                = "eu-west-1"
  azs                   = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  feast_project         = "driftline_demo"
  feature_views         = ["loans"]
  image_tag             = "0123abc"
  kafka_scram_password  = "a-test-only-password-0123456789"
  api_tokens            = "test-only-token-0123456789:admin"
  allowed_ingress_cidrs = ["10.0.0.0/8"]
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
    condition     = output.service_environment["DRIFTLINE_ARTIFACT_STORE_URL"] == "s3://driftline-test-000000000000-artifacts/models"
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

run "refuses_placeholder_api_tokens" {
  command = plan

  variables {
    api_tokens = "changeme"
  }

  expect_failures = [var.api_tokens]
}
