mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name = "driftline-test-000000000000"
}

run "creates_an_artifact_bucket_and_an_offline_bucket" {
  command = plan

  assert {
    condition     = aws_s3_bucket.this["artifacts"].bucket == "driftline-test-000000000000-artifacts"
    error_message = "unexpected artifact bucket name"
  }

  assert {
    condition     = aws_s3_bucket.this["offline"].bucket == "driftline-test-000000000000-offline"
    error_message = "unexpected offline bucket name"
  }

  assert {
    condition     = output.artifact_store_url == "s3://driftline-test-000000000000-artifacts/models"
    error_message = "artifact_store_url must point at the artifact prefix"
  }

  assert {
    condition     = output.archive_store_url == "s3://driftline-test-000000000000-artifacts/archive"
    error_message = "archive_store_url must point at the archive prefix"
  }

  assert {
    condition     = output.offline_store_url == "s3://driftline-test-000000000000-offline/datasets"
    error_message = "offline_store_url must point at the offline prefix"
  }
}

run "keeps_both_buckets_private_versioned_and_encrypted" {
  command = plan

  assert {
    condition = alltrue([for b in aws_s3_bucket_public_access_block.this :
    b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets])
    error_message = "every bucket must block public access"
  }

  assert {
    condition     = alltrue([for v in aws_s3_bucket_versioning.this : v.versioning_configuration[0].status == "Enabled"])
    error_message = "every bucket must be versioned"
  }

  assert {
    condition = alltrue([for e in aws_s3_bucket_server_side_encryption_configuration.this :
    one(one(e.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"])
    error_message = "buckets must default to SSE-S3 without a KMS key"
  }

  assert {
    condition     = aws_s3_bucket.this["artifacts"].force_destroy == false
    error_message = "buckets must not be force-destroyable by default"
  }
}

run "denies_plain_http_by_default" {
  command = plan

  assert {
    condition     = length(aws_s3_bucket_policy.tls_only) == 2
    error_message = "both buckets must refuse requests made without TLS"
  }
}

run "drops_the_tls_policy_only_when_told" {
  command = plan

  variables {
    enforce_tls = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.tls_only) == 0
    error_message = "enforce_tls = false must drop the policy"
  }
}

run "uses_the_kms_key_when_given" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition = alltrue([for e in aws_s3_bucket_server_side_encryption_configuration.this :
    one(one(e.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"])
    error_message = "buckets must use SSE-KMS with a key"
  }
}

run "moves_archived_artifacts_to_glacier_instant_retrieval" {
  # apply against the mock: the lifecycle rules hold computed parts until then.
  command = apply

  assert {
    condition = anytrue([for r in aws_s3_bucket_lifecycle_configuration.artifacts.rule :
    r.filter[0].prefix == "archive/" && [for t in r.transition : t.storage_class] == ["GLACIER_IR"]])
    error_message = "archived artifacts must transition to GLACIER_IR"
  }
}

run "refuses_a_bucket_name_with_capitals" {
  command = plan

  variables {
    name = "Driftline"
  }

  expect_failures = [var.name]
}
