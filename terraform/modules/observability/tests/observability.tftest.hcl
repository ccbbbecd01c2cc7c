mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:000000000000:driftline-test-alarms" }
  }
}

variables {
  name                      = "driftline-test"
  cluster_name              = "driftline-test"
  service_names             = { serving = "serving", training = "training" }
  log_group_names           = { serving = "/driftline/driftline-test/serving", training = "/driftline/driftline-test/training" }
  load_balancer_arn_suffix  = "app/driftline-test/0"
  target_group_arn_suffixes = { serving = "targetgroup/servin/0" }
  kafka_cluster_name        = "driftline-test"
  kafka_broker_count        = 3
  db_instance_id            = "driftline-test-registry"
}

run "alarms_on_serving_latency_errors_broker_disks_and_the_database" {
  command = plan

  assert {
    condition     = aws_cloudwatch_metric_alarm.latency["serving"].extended_statistic == "p99" && aws_cloudwatch_metric_alarm.latency["serving"].threshold == 0.5
    error_message = "serving's p99 latency must be alarmed"
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.kafka_disk) == 3 && length(aws_cloudwatch_metric_alarm.db_cpu) == 1
    error_message = "one disk alarm per broker and one database alarm"
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.error_logs)) == toset(["serving", "training"])
    error_message = "every service's error logs must be alarmed"
  }
}

run "turns_json_logs_into_error_and_lifecycle_metrics" {
  command = plan

  assert {
    condition     = aws_cloudwatch_log_metric_filter.errors["training"].pattern == "{ $.level = \"ERROR\" || $.level = \"CRITICAL\" }"
    error_message = "errors are counted from the JSON level field"
  }

  assert {
    condition     = aws_cloudwatch_log_metric_filter.lifecycle_events["serving"].metric_transformation[0].dimensions["EventType"] == "$.event_type"
    error_message = "lifecycle events are counted by their type"
  }
}

run "draws_lifecycle_latency_and_resource_widgets" {
  command = plan

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 1 + 1 + 2
    error_message = "expected the lifecycle widget, one latency widget per public service and one resource widget per service"
  }

  assert {
    condition     = strcontains(aws_cloudwatch_dashboard.this.dashboard_body, "DriftDetected")
    error_message = "the dashboard must show drift events"
  }
}

run "notifies_the_alarm_topic" {
  command = apply

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.error_logs : contains(a.alarm_actions, "arn:aws:sns:eu-west-1:000000000000:driftline-test-alarms")])
    error_message = "alarms must notify the topic"
  }
}

run "skips_kafka_and_database_alarms_without_them" {
  command = plan

  variables {
    kafka_cluster_name = null
    db_instance_id     = null
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.kafka_disk) == 0 && length(aws_cloudwatch_metric_alarm.db_cpu) == 0
    error_message = "no cluster, no broker alarms"
  }
}
