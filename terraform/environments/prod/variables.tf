variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "azs" {
  description = "Availability zones to spread the environment over."
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

variable "image_tag" {
  description = "Image tag every service runs (the git SHA that CI pushed to ECR)."
  type        = string
}

variable "kafka_scram_password" {
  description = "SASL/SCRAM password of the services on MSK; ephemeral, never in plan or state (TF_VAR_kafka_scram_password)."
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
  description = "Bearer tokens and roles of the mutating APIs, \"token:role,...\" (DRIFTLINE_API_TOKENS); ephemeral (TF_VAR_api_tokens)."
  type        = string
  sensitive   = true
  ephemeral   = true
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
  description = "Feast project (driftline.yaml's `project`)."
  type        = string
  default     = "driftline_demo"
}

variable "feature_views" {
  description = "Feature views whose DynamoDB online tables Terraform owns (one per dataset in driftline.yaml)."
  type        = set(string)
  default     = ["loans"]
}
