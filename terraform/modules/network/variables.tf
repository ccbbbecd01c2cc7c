variable "name" {
  description = "Name prefix of every resource (e.g. driftline-dev)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC; subnets are carved from it (/20 private, /24 public)."
  type        = string
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && tonumber(split("/", var.cidr)[1]) <= 16
    error_message = "cidr must be a valid IPv4 block of /16 or larger."
  }
}

variable "azs" {
  description = "Availability zones to spread subnets over (at least two: MSK, RDS and the load balancer need two)."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2 && length(var.azs) <= 6
    error_message = "azs must list 2 to 6 availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all private subnets (cheaper, one AZ of failure) rather than one per AZ."
  type        = bool
  default     = false
}

variable "flow_logs_retention_days" {
  description = "Days to keep VPC flow logs in CloudWatch; 0 turns flow logs off."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
