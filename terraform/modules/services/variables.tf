variable "name" {
  description = "Name prefix of the cluster, load balancer and roles (e.g. driftline-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,24}$", var.name))
    error_message = "name must be 2-25 lowercase letters, digits or dashes (load balancer names are short)."
  }
}

variable "vpc_id" {
  description = "VPC of the tasks and the load balancer."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks."
  type        = list(string)
}

variable "services" {
  description = <<-EOT
    The Driftline services, by name (the folder under services/). port: the API port;
    public: behind the load balancer (training is a worker: health and metrics only);
    cpu/memory: Fargate task size; desired_count/max_count: replicas (CPU autoscaling
    when max_count > desired_count); environment: the service's own DRIFTLINE_<NAME>_* values.
  EOT
  type = map(object({
    port          = number
    public        = optional(bool, true)
    cpu           = optional(number, 512)
    memory        = optional(number, 1024)
    desired_count = optional(number, 1)
    max_count     = optional(number)
    environment   = optional(map(string), {})
  }))

  validation {
    condition     = length(distinct([for s in values(var.services) : s.port])) == length(var.services)
    error_message = "every service needs its own port."
  }
}

variable "image_tag" {
  description = "Tag of the images to run from each service's ECR repository (immutable tags: use the git SHA)."
  type        = string
}

variable "environment" {
  description = "Environment variables shared by every container (DRIFTLINE_* values; no secrets)."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variables filled by ECS from Secrets Manager at start: name => secret ARN, optionally with :json-key:: suffix."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "Secrets the task execution role may read (the ARNs behind `secrets`)."
  type        = list(string)
  default     = []
}

variable "kms_key_arns" {
  description = "KMS keys encrypting those secrets."
  type        = list(string)
  default     = []
}

variable "task_policy_arns" {
  description = "IAM policies attached to the tasks' role, by a static label (e.g. { storage = arn, online_store = arn })."
  type        = map(string)
  default     = {}
}

variable "certificate_arn" {
  description = "ACM certificate for HTTPS listeners; null serves plain HTTP (development only)."
  type        = string
  default     = null
}

variable "internal_load_balancer" {
  description = "Keep the load balancer inside the VPC (reached through a VPN or peering)."
  type        = bool
  default     = false
}

variable "allowed_ingress_cidrs" {
  description = "CIDR blocks allowed to reach the load balancer."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Days to keep the services' logs in CloudWatch."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
