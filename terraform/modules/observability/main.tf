# CloudWatch for the cloud profile: one dashboard, alarms to one SNS topic, and metric
# filters that turn the services' JSON logs (level, event_type) into metrics.

data "aws_region" "current" {}

locals {
  namespace = "Driftline/${var.name}"
  region    = data.aws_region.current.name
  brokers   = var.kafka_cluster_name == null ? [] : range(1, var.kafka_broker_count + 1)

  service_widgets = [
    for svc, ecs_name in var.service_names : {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "${svc}: CPU and memory"
        region = local.region
        stat   = "Average"
        period = 60
        metrics = [
          ["AWS/ECS", "CPUUtilization", "ClusterName", var.cluster_name, "ServiceName", ecs_name],
          ["AWS/ECS", "MemoryUtilization", "ClusterName", var.cluster_name, "ServiceName", ecs_name],
        ]
      }
    }
  ]

  latency_widgets = [
    for svc, tg in var.target_group_arn_suffixes : {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "${svc}: latency p50/p99 and 5xx"
        region = local.region
        period = 60
        metrics = [
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.load_balancer_arn_suffix, "TargetGroup", tg, { stat = "p50" }],
          ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", var.load_balancer_arn_suffix, "TargetGroup", tg, { stat = "p99" }],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", var.load_balancer_arn_suffix, "TargetGroup", tg, { stat = "Sum", yAxis = "right" }],
        ]
      }
    }
  ]

  lifecycle_widget = {
    type   = "metric"
    width  = 24
    height = 6
    properties = {
      title  = "Log lines by lifecycle event type (drift, training, promotion, retirement)"
      region = local.region
      stat   = "Sum"
      period = 300
      metrics = [
        for event in local.lifecycle_events : [local.namespace, "LifecycleEvents", "EventType", event]
      ]
    }
  }

  lifecycle_events = ["DriftDetected", "TrainingStarted", "ModelTrained", "TrainingFailed", "ModelEvaluated", "ModelPromoted", "ModelRejected", "ModelRolledBack", "ModelRetired"]
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = "alias/aws/sns"

  tags = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_log_metric_filter" "errors" {
  for_each = var.log_group_names

  name           = "${var.name}-${each.key}-errors"
  log_group_name = each.value
  pattern        = "{ $.level = \"ERROR\" || $.level = \"CRITICAL\" }"

  metric_transformation {
    name          = "ErrorLogs"
    namespace     = local.namespace
    value         = "1"
    default_value = "0"
    dimensions    = { Service = "$.service" }
  }
}

resource "aws_cloudwatch_log_metric_filter" "lifecycle_events" {
  for_each = var.log_group_names

  name           = "${var.name}-${each.key}-lifecycle-events"
  log_group_name = each.value
  pattern        = "{ $.event_type = \"*\" }"

  metric_transformation {
    name       = "LifecycleEvents"
    namespace  = local.namespace
    value      = "1"
    dimensions = { EventType = "$.event_type" }
  }
}

resource "aws_cloudwatch_metric_alarm" "error_logs" {
  for_each = var.log_group_names

  alarm_name          = "${var.name}-${each.key}-error-logs"
  alarm_description   = "${each.key} logged errors for 3 minutes in a row."
  namespace           = local.namespace
  metric_name         = "ErrorLogs"
  dimensions          = { Service = each.key }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "latency" {
  for_each = var.target_group_arn_suffixes

  alarm_name          = "${var.name}-${each.key}-latency-p99"
  alarm_description   = "${each.key}: p99 response time above ${var.latency_threshold_seconds}s for 5 minutes."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix, TargetGroup = each.value }
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.latency_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  for_each = var.target_group_arn_suffixes

  alarm_name          = "${var.name}-${each.key}-unhealthy"
  alarm_description   = "${each.key} has unhealthy targets."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix, TargetGroup = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "kafka_disk" {
  for_each = toset([for b in local.brokers : tostring(b)])

  alarm_name          = "${var.name}-msk-broker-${each.key}-disk"
  alarm_description   = "MSK broker ${each.key} data disk above 80%."
  namespace           = "AWS/Kafka"
  metric_name         = "KafkaDataLogsDiskUsed"
  dimensions          = { "Cluster Name" = var.kafka_cluster_name, "Broker ID" = each.key }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "db_cpu" {
  count = var.db_instance_id == null ? 0 : 1

  alarm_name          = "${var.name}-registry-db-cpu"
  alarm_description   = "Registry database CPU above 80% for 10 minutes."
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.db_instance_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]

  tags = var.tags
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = concat([local.lifecycle_widget], local.latency_widgets, local.service_widgets)
  })
}
