variable "name" {
  description = "Name prefix of the dashboard, alarms and topic (e.g. driftline-dev)."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster of the services."
  type        = string
}

variable "service_names" {
  description = "ECS service name by Driftline service."
  type        = map(string)
}

variable "log_group_names" {
  description = "CloudWatch log group by Driftline service (JSON logs, one object per line)."
  type        = map(string)
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the services' load balancer."
  type        = string
}

variable "target_group_arn_suffixes" {
  description = "ARN suffix of each public service's target group."
  type        = map(string)
  default     = {}
}

variable "kafka_cluster_name" {
  description = "MSK cluster name, for broker disk alarms; null skips them."
  type        = string
  default     = null
}

variable "kafka_broker_count" {
  description = "Number of MSK brokers (one disk alarm each)."
  type        = number
  default     = 0
}

variable "db_instance_id" {
  description = "RDS instance identifier of the registry, for its alarms; null skips them."
  type        = string
  default     = null
}

variable "latency_threshold_seconds" {
  description = "Alarm when a public API's p99 target response time exceeds this."
  type        = number
  default     = 0.5
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
