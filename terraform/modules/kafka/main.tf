# Amazon MSK in KRaft mode, TLS everywhere, SASL/SCRAM for the services (librdkafka
# speaks it natively) and optionally IAM. Topics are created by `driftline topics
# create` from schemas/catalog.yaml, so auto-creation is off.

locals {
  replication_factor = min(3, var.broker_nodes)
  scram_username     = var.scram_username
}

resource "aws_kms_key" "kafka" {
  description             = "${var.name}: MSK storage and SASL/SCRAM secret"
  enable_key_rotation     = true
  deletion_window_in_days = 7

  tags = var.tags
}

resource "aws_security_group" "brokers" {
  name_prefix = "${var.name}-msk-"
  description = "Driftline MSK brokers: SASL/SCRAM (9096) and IAM (9098) over TLS from the services"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-msk" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = {
    for pair in setproduct(keys(var.allowed_security_groups), var.iam_authentication ? [9096, 9098] : [9096]) :
    "${pair[0]}-${pair[1]}" => { group = var.allowed_security_groups[pair[0]], port = pair[1] }
  }

  security_group_id            = aws_security_group.brokers.id
  referenced_security_group_id = each.value.group
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "Kafka clients"
}

resource "aws_cloudwatch_log_group" "brokers" {
  name              = "/driftline/${var.name}/msk"
  retention_in_days = var.log_retention_days

  tags = var.tags
}

resource "aws_msk_configuration" "this" {
  name           = "${var.name}-driftline"
  kafka_versions = [var.kafka_version]
  description    = "Driftline: no topic auto-creation, durable writes (acks=all needs min.insync.replicas)."

  server_properties = <<-PROPERTIES
    auto.create.topics.enable=false
    default.replication.factor=${local.replication_factor}
    min.insync.replicas=${max(1, local.replication_factor - 1)}
    unclean.leader.election.enable=false
    num.partitions=3
  PROPERTIES
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.broker_nodes

  broker_node_group_info {
    instance_type   = var.instance_type
    client_subnets  = var.subnet_ids
    security_groups = [aws_security_group.brokers.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.volume_size_gb
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = aws_kms_key.kafka.arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  client_authentication {
    unauthenticated = false

    sasl {
      scram = true
      iam   = var.iam_authentication
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers.name
      }
    }
  }

  tags = var.tags
}

# MSK only accepts SCRAM secrets named AmazonMSK_* and encrypted with a customer key.
resource "aws_secretsmanager_secret" "scram" {
  name_prefix = "AmazonMSK_${replace(var.name, "-", "_")}_"
  description = "SASL/SCRAM credentials of the Driftline services on ${var.name}"
  kms_key_id  = aws_kms_key.kafka.arn

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "scram" {
  secret_id                = aws_secretsmanager_secret.scram.id
  secret_string_wo         = jsonencode({ username = local.scram_username, password = var.scram_password })
  secret_string_wo_version = var.scram_password_version
}

resource "aws_msk_scram_secret_association" "this" {
  cluster_arn     = aws_msk_cluster.this.arn
  secret_arn_list = [aws_secretsmanager_secret.scram.arn]

  depends_on = [aws_secretsmanager_secret_version.scram]
}
