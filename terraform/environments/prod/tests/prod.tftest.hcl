# What makes prod prod; what every environment gets is tested in modules/platform/tests.
mock_provider "aws" {
  source = "../../modules/platform/tests/mocks"
}

variables {
  image_tag             = "0123abc"
  kafka_scram_password  = "a-test-only-password-0123456789"
  api_tokens            = "test-only-token-0123456789:admin"
  allowed_ingress_cidrs = ["10.0.0.0/8"]
  certificate_arn       = "arn:aws:acm:eu-west-1:000000000000:certificate/test"
}

run "publishes_the_prod_configuration" {
  command = plan

  assert {
    condition     = output.environment == "prod" && output.service_environment["DRIFTLINE_PROFILE"] == "cloud"
    error_message = "the outputs describe the prod environment"
  }

  assert {
    condition     = output.service_environment["DRIFTLINE_ARTIFACT_STORE_URL"] == "s3://driftline-prod-000000000000-artifacts/models"
    error_message = "artifacts go to the environment's bucket"
  }
}

run "keeps_prod_redundant_and_protected" {
  command = plan

  assert {
    condition     = module.platform.nat_gateway_count == 3
    error_message = "prod has a NAT gateway per AZ"
  }

  assert {
    condition     = module.platform.artifact_bucket_name == "driftline-prod-000000000000-artifacts"
    error_message = "unexpected bucket name"
  }
}

run "serves_https_only" {
  command = plan

  assert {
    condition     = alltrue([for l in module.platform.listener_protocols : l == "HTTPS"])
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
