# What makes dev dev; what every environment gets is tested in modules/platform/tests.
mock_provider "aws" {
  source = "../../modules/platform/tests/mocks"
}

variables {
  image_tag             = "0123abc"
  kafka_scram_password  = "a-test-only-password-0123456789"
  api_tokens            = "test-only-token-0123456789:admin"
  allowed_ingress_cidrs = ["10.0.0.0/8"]
}

run "publishes_the_dev_configuration" {
  command = plan

  assert {
    condition     = output.environment == "dev" && output.service_environment["DRIFTLINE_PROFILE"] == "cloud"
    error_message = "the outputs describe the dev environment"
  }

  assert {
    condition     = output.service_environment["DRIFTLINE_ARTIFACT_STORE_URL"] == "s3://driftline-dev-000000000000-artifacts/models"
    error_message = "artifacts go to the environment's bucket"
  }
}

run "keeps_dev_small_and_destroyable" {
  command = plan

  assert {
    condition     = module.platform.nat_gateway_count == 1
    error_message = "dev shares one NAT gateway"
  }

  assert {
    condition     = module.platform.artifact_bucket_name == "driftline-dev-000000000000-artifacts"
    error_message = "unexpected bucket name"
  }
}

run "serves_plain_http_without_a_certificate" {
  command = plan

  assert {
    condition     = alltrue([for l in module.platform.listener_protocols : l == "HTTP"])
    error_message = "dev listeners are HTTP"
  }
}
