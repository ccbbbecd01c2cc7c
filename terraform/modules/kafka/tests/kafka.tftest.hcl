mock_provider "aws" {}

variables {
  name                    = "driftline-test"
  vpc_id                  = "vpc-00000000"
  subnet_ids              = ["subnet-a", "subnet-b", "subnet-c"]
  allowed_security_groups = { services = "sg-tasks" }
  scram_password          = "a-test-only-password-0123456789"
}

run "runs_kafka_in_kraft_mode_with_tls_everywhere" {
  command = plan

  assert {
    condition     = endswith(aws_msk_cluster.this.kafka_version, ".kraft")
    error_message = "the cluster must run in KRaft mode"
  }

  assert {
    condition     = aws_msk_cluster.this.encryption_info[0].encryption_in_transit[0].client_broker == "TLS"
    error_message = "clients must reach the brokers over TLS only"
  }

  assert {
    condition     = aws_msk_cluster.this.client_authentication[0].unauthenticated == false && aws_msk_cluster.this.client_authentication[0].sasl[0].scram
    error_message = "unauthenticated access must be off and SCRAM on"
  }
}

run "tells_clients_to_use_sasl_ssl_with_scram" {
  command = plan

  assert {
    condition     = output.security_protocol == "SASL_SSL" && output.sasl_mechanism == "SCRAM-SHA-512" && output.sasl_username == "driftline"
    error_message = "the client settings must be SASL_SSL / SCRAM-SHA-512"
  }
}

run "turns_topic_auto_creation_off_and_keeps_writes_durable" {
  command = plan

  assert {
    condition     = strcontains(aws_msk_configuration.this.server_properties, "auto.create.topics.enable=false")
    error_message = "topics come from the catalog: auto-creation must be off"
  }

  assert {
    condition     = strcontains(aws_msk_configuration.this.server_properties, "min.insync.replicas=2")
    error_message = "three brokers need min.insync.replicas=2 for acks=all to mean something"
  }
}

run "names_the_scram_secret_as_msk_requires" {
  command = plan

  assert {
    condition     = startswith(aws_secretsmanager_secret.scram.name_prefix, "AmazonMSK_driftline_test_")
    error_message = "MSK only associates secrets whose name starts with AmazonMSK_"
  }
}

run "opens_scram_and_iam_ports_to_the_allowed_groups_only" {
  command = plan

  assert {
    condition     = toset([for r in aws_vpc_security_group_ingress_rule.clients : r.from_port]) == toset([9096, 9098])
    error_message = "expected ingress on 9096 (SCRAM) and 9098 (IAM)"
  }

  assert {
    condition     = alltrue([for r in aws_vpc_security_group_ingress_rule.clients : r.referenced_security_group_id == "sg-tasks"])
    error_message = "only the tasks' security group may connect"
  }
}

run "refuses_a_placeholder_password" {
  command = plan

  variables {
    scram_password = "changeme"
  }

  expect_failures = [var.scram_password]
}
