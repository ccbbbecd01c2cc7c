variable "name" {
  description = "Bucket name prefix, globally unique (e.g. driftline-dev-123456789012); buckets are <name>-artifacts and <name>-offline."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,53}$", var.name))
    error_message = "name must be 2-54 lowercase letters, digits or dashes (S3 bucket naming)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for server-side encryption; null uses S3-managed keys (SSE-S3)."
  type        = string
  default     = null
}

variable "enforce_tls" {
  description = "Attach a bucket policy denying any request not made over TLS (turn off only for emulators that cannot evaluate policy conditions, such as moto)."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets (development only)."
  type        = bool
  default     = false
}

variable "artifact_prefix" {
  description = "Key prefix of the content-addressed model artifacts inside the artifact bucket."
  type        = string
  default     = "models"
}

variable "archive_prefix" {
  description = "Key prefix where retired models' artifacts are moved."
  type        = string
  default     = "archive"
}

variable "archive_transition_days" {
  description = "Days after which archived artifacts move to Glacier Instant Retrieval."
  type        = number
  default     = 30
}

variable "noncurrent_version_expiration_days" {
  description = "Days to keep overwritten or deleted object versions (artifacts are never overwritten in place)."
  type        = number
  default     = 90
}

variable "offline_prefix" {
  description = "Key prefix of the offline data (Parquet by dataset and date) inside the offline bucket."
  type        = string
  default     = "datasets"
}

variable "offline_ia_transition_days" {
  description = "Days after which offline Parquet files move to Standard-IA."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
