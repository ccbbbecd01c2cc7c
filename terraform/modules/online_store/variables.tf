variable "feast_project" {
  description = "Feast project name (driftline.yaml's `project`); tables are named <feast_project>.<feature view>, Feast's default table_name_template."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.feast_project))
    error_message = "feast_project must be 1-100 letters, digits, underscores or dashes."
  }
}

variable "feature_views" {
  description = "Feature views whose online tables Terraform owns; Feast may create tables for new ones under the same prefix."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for v in var.feature_views : can(regex("^[A-Za-z0-9_.-]{1,150}$", v))])
    error_message = "feature view names must be letters, digits, underscores, dots or dashes."
  }
}

variable "point_in_time_recovery" {
  description = "Continuous backups of the online tables (35 days)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the tables (turn off before a deliberate destroy)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the tables; null uses the AWS-owned key."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
