mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "000000000000" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  feast_project = "driftline_demo"
  feature_views = ["loans", "customers"]
}

run "creates_one_table_per_feature_view_named_as_feast_expects" {
  command = plan

  assert {
    condition     = toset([for t in aws_dynamodb_table.feature_view : t.name]) == toset(["driftline_demo.loans", "driftline_demo.customers"])
    error_message = "tables must be named <project>.<feature view>"
  }

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.feature_view : t.hash_key == "entity_id" && t.billing_mode == "PAY_PER_REQUEST"])
    error_message = "Feast's DynamoDB tables are keyed by entity_id, on demand"
  }

  assert {
    condition     = output.feast_online_store.type == "dynamodb" && output.feast_online_store.region == "eu-west-1"
    error_message = "the Feast online store block must name dynamodb and the region"
  }
}

run "backs_tables_up_by_default" {
  command = plan

  assert {
    condition     = alltrue([for t in aws_dynamodb_table.feature_view : t.point_in_time_recovery[0].enabled])
    error_message = "point-in-time recovery must be on by default"
  }
}

run "scopes_access_to_the_project_prefix" {
  command = plan

  assert {
    condition     = local.table_arn_prefix == "arn:aws:dynamodb:eu-west-1:000000000000:table/driftline_demo."
    error_message = "the access policy must be limited to the project's tables"
  }
}

run "creates_no_table_without_feature_views" {
  command = plan

  variables {
    feature_views = []
  }

  assert {
    condition     = length(aws_dynamodb_table.feature_view) == 0
    error_message = "no feature views, no tables"
  }
}

run "refuses_a_project_name_with_spaces" {
  command = plan

  variables {
    feast_project = "driftline demo"
  }

  expect_failures = [var.feast_project]
}
