# What names and places the environment.

variable "environment" {
  description = "Name of the environment (dev, prod, ...): resources are named driftline-<environment>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.environment))
    error_message = "environment must be 2-15 lowercase letters, digits or dashes, starting with a letter (load balancer names are short)."
  }
}

variable "region" {
  description = "AWS region of the environment (the provider's region); the services get it as AWS_REGION."
  type        = string
}

variable "azs" {
  description = "Availability zones to spread the environment over."
  type        = list(string)
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the environment's VPC."
  type        = string
  default     = "10.40.0.0/16"
}

# Sizes, redundancy and protection: what tells the environments apart. The defaults
# are the modules' own.

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets rather than one per AZ."
  type        = bool
  default     = false
}

variable "kafka_brokers" {
  description = "Number of MSK brokers (a multiple of the number of AZs)."
  type        = number
  default     = 3
}

variable "kafka_instance_type" {
  description = "MSK broker instance type."
  type        = string
  default     = "kafka.m7g.large"
}

variable "kafka_volume_gb" {
  description = "EBS storage per broker, in GiB."
  type        = number
  default     = 100
}

variable "db_instance_class" {
  description = "Instance class of the registry's PostgreSQL database."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_multi_az" {
  description = "A synchronous standby of the registry's database in a second AZ."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the registry's database and the online tables."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets and skip the database's final snapshot (development only)."
  type        = bool
  default     = false
}

variable "point_in_time_recovery" {
  description = "Continuous backups of the DynamoDB online tables."
  type        = bool
  default     = true
}

variable "certificate_arn" {
  description = "ACM certificate of the load balancer's HTTPS listeners; null serves plain HTTP (development only)."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "Days to keep the services' logs in CloudWatch."
  type        = number
  default     = 30
}

variable "training_cpu" {
  description = "Fargate CPU units of the training worker."
  type        = number
  default     = 1024
}

variable "training_memory" {
  description = "Fargate memory of the training worker, in MiB."
  type        = number
  default     = 4096
}

variable "serving_min" {
  description = "Replicas of the serving API."
  type        = number
  default     = 1
}

variable "serving_max" {
  description = "Upper bound of the serving API's CPU autoscaling; null or serving_min turns it off."
  type        = number
  default     = null
}

# What runs, who may reach it, and its secrets.

variable "image_tag" {
  description = "Image tag every service runs (the git SHA that CI pushed to ECR)."
  type        = string
}

variable "kafka_scram_password" {
  description = "SASL/SCRAM password of the services on MSK; ephemeral, never in plan or state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "kafka_scram_password_version" {
  description = "Bump after changing kafka_scram_password so the new value is written."
  type        = number
  default     = 1
}

variable "api_tokens" {
  description = "Bearer tokens and roles of the mutating APIs, \"token:role,...\" (DRIFTLINE_API_TOKENS); ephemeral, never in plan or state."
  type        = string
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = length(var.api_tokens) >= 16 && strcontains(var.api_tokens, ":")
    error_message = "api_tokens must be \"token:role\" pairs with real tokens."
  }
}

variable "api_tokens_version" {
  description = "Bump after changing api_tokens so the new value is written."
  type        = number
  default     = 1
}

variable "allowed_ingress_cidrs" {
  description = "CIDR blocks allowed to reach the services' load balancer."
  type        = list(string)
}

variable "alarm_emails" {
  description = "Addresses notified of alarms."
  type        = list(string)
  default     = []
}

variable "feast_project" {
  description = "Feast project (driftline.yaml's `project`); the online tables are <feast_project>_<environment>.<feature view>."
  type        = string
}

variable "feature_views" {
  description = "Feature views whose DynamoDB online tables Terraform owns (one per dataset in driftline.yaml)."
  type        = set(string)
  default     = []
}
