# What makes dev dev: small, one NAT gateway, HTTP listeners, destroyable.
locals {
  environment            = "dev"
  vpc_cidr               = "10.40.0.0/16"
  single_nat_gateway     = true
  kafka_brokers          = 3
  kafka_instance_type    = "kafka.t3.small"
  kafka_volume_gb        = 20
  db_instance_class      = "db.t4g.micro"
  db_multi_az            = false
  deletion_protection    = false
  force_destroy          = true
  point_in_time_recovery = false
  certificate_arn        = null
  log_retention_days     = 14
  training_cpu           = 1024
  training_memory        = 4096
  serving_min            = 1
  serving_max            = 2
}
