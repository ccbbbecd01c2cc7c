# Feast's DynamoDB online store: one table per feature view, hash key "entity_id",
# on-demand capacity. Feast's `apply` finds existing tables and leaves them be, so
# Terraform can own their backups, encryption and protection.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

resource "aws_dynamodb_table" "feature_view" {
  for_each = var.feature_views

  name                        = "${var.feast_project}.${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "entity_id"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "entity_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = var.kms_key_arn != null
    kms_key_arn = var.kms_key_arn
  }

  tags = merge(var.tags, { FeastProject = var.feast_project, FeatureView = each.key })
}

locals {
  table_arn_prefix = "arn:${data.aws_partition.current.partition}:dynamodb:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:table/${var.feast_project}."
}

# Feast reads and writes rows, and creates or drops the tables of feature views it
# is told about; nothing outside the project's prefix.
data "aws_iam_policy_document" "access" {
  statement {
    sid = "FeastOnlineTables"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:DescribeTable",
      "dynamodb:CreateTable",
      "dynamodb:DeleteTable",
      "dynamodb:TagResource",
    ]
    resources = ["${local.table_arn_prefix}*"]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "UseTableKey"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_policy" "access" {
  name        = "${replace(var.feast_project, "_", "-")}-online-store-access"
  description = "Read, write and manage the Feast online tables of project ${var.feast_project}."
  policy      = data.aws_iam_policy_document.access.json

  tags = var.tags
}
