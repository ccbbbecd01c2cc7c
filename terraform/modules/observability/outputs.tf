output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "metric_namespace" {
  description = "CloudWatch namespace of the metrics derived from the services' logs."
  value       = local.namespace
}

output "alarm_names" {
  description = "Names of every alarm."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.error_logs : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.latency : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.unhealthy_targets : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.kafka_disk : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.db_cpu : a.alarm_name],
  )
}
