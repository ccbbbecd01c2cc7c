# The AWS data sources an environment reads, mocked for `terraform test`: shared by
# tests/platform.tftest.hcl and the environments' tests (mock_provider "aws" { source }).

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
