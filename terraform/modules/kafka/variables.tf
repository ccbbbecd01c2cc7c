variable "name" {
  description = "Cluster name (e.g. driftline-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}$", var.name))
    error_message = "name must be 2-51 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the brokers."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the brokers, one per AZ; the broker count is a multiple of their number."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "MSK needs subnets in at least two availability zones."
  }
}

variable "allowed_security_groups" {
  description = "Security groups whose members may connect to the brokers, by a static label (e.g. { services = sg-... }); labels keep for_each keys known at plan time."
  type        = map(string)
  default     = {}
}

variable "kafka_version" {
  description = "Apache Kafka version; a .kraft version runs without ZooKeeper."
  type        = string
  default     = "3.7.x.kraft"
}

variable "broker_nodes" {
  description = "Number of brokers (a multiple of the number of subnets)."
  type        = number
  default     = 3
}

variable "instance_type" {
  description = "Broker instance type."
  type        = string
  default     = "kafka.m7g.large"
}

variable "volume_size_gb" {
  description = "EBS storage per broker, in GiB."
  type        = number
  default     = 100
}

variable "scram_username" {
  description = "SASL/SCRAM user the services connect as."
  type        = string
  default     = "driftline"
}

variable "scram_password" {
  description = "SASL/SCRAM password (at least 16 characters). Ephemeral: written to Secrets Manager write-only, never to the plan or the state. Pass it as TF_VAR_kafka_scram_password from your secret store."
  type        = string
  sensitive   = true
  ephemeral   = true

  validation {
    condition     = length(var.scram_password) >= 16 && !contains(["changeme", "change-me", "changethis", "password", "secret"], lower(var.scram_password))
    error_message = "scram_password must be a real secret of at least 16 characters."
  }
}

variable "scram_password_version" {
  description = "Bump to write a new scram_password to the secret (write-only values are not compared)."
  type        = number
  default     = 1
}

variable "iam_authentication" {
  description = "Also accept IAM (AWS_MSK_IAM) clients on port 9098."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Days to keep broker logs in CloudWatch."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
