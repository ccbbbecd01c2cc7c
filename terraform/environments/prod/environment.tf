# What makes prod prod: a NAT gateway per AZ, bigger brokers, multi-AZ database,
# HTTPS only, deletion protection, backups, longer log retention, serving autoscaling.
variable "certificate_arn" {
  description = "ACM certificate of the load balancer's HTTPS listeners (required in prod)."
  type        = string

  validation {
    condition     = startswith(var.certificate_arn, "arn:")
    error_message = "certificate_arn must be an ACM certificate ARN."
  }
}

locals {
  environment            = "prod"
  vpc_cidr               = "10.41.0.0/16"
  single_nat_gateway     = false
  kafka_brokers          = 3
  kafka_instance_type    = "kafka.m7g.large"
  kafka_volume_gb        = 500
  db_instance_class      = "db.m7g.large"
  db_multi_az            = true
  deletion_protection    = true
  force_destroy          = false
  point_in_time_recovery = true
  certificate_arn        = var.certificate_arn
  log_retention_days     = 90
  training_cpu           = 4096
  training_memory        = 16384
  serving_min            = 2
  serving_max            = 10
}
