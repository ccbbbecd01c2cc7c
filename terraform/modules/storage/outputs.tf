output "artifact_bucket_name" {
  description = "Name of the model artifact bucket."
  value       = aws_s3_bucket.this["artifacts"].bucket
}

output "artifact_bucket_arn" {
  description = "ARN of the model artifact bucket."
  value       = aws_s3_bucket.this["artifacts"].arn
}

output "offline_bucket_name" {
  description = "Name of the offline data bucket."
  value       = aws_s3_bucket.this["offline"].bucket
}

output "offline_bucket_arn" {
  description = "ARN of the offline data bucket."
  value       = aws_s3_bucket.this["offline"].arn
}

output "artifact_store_url" {
  description = "Root URL of the content-addressed artifact store (DRIFTLINE_ARTIFACT_STORE_URL)."
  value       = "s3://${aws_s3_bucket.this["artifacts"].bucket}/${var.artifact_prefix}"
}

output "archive_store_url" {
  description = "Where retired artifacts are moved (DRIFTLINE_ARCHIVE_STORE_URL)."
  value       = "s3://${aws_s3_bucket.this["artifacts"].bucket}/${var.archive_prefix}"
}

output "offline_store_url" {
  description = "Root URL of the offline data (DRIFTLINE_OFFLINE_STORE_URL)."
  value       = "s3://${aws_s3_bucket.this["offline"].bucket}/${var.offline_prefix}"
}

output "access_policy_arn" {
  description = "IAM policy granting read/write on both buckets, for the services' task role."
  value       = aws_iam_policy.access.arn
}
