variable "endpoint" {
  description = "Base URL of an AWS-compatible endpoint serving S3, DynamoDB, IAM and STS (a moto server, LocalStack)."
  type        = string

  validation {
    condition     = can(regex("^https?://", var.endpoint))
    error_message = "endpoint must be an http(s) URL."
  }
}

variable "region" {
  description = "Region the endpoint pretends to be in."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Bucket name prefix."
  type        = string
  default     = "driftline-local"
}

variable "feast_project" {
  description = "Feast project of the online tables."
  type        = string
  default     = "driftline_demo"
}

variable "feature_views" {
  description = "Feature views whose online tables are created."
  type        = set(string)
  default     = ["loans"]
}
