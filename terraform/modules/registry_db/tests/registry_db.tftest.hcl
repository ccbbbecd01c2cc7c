mock_provider "aws" {
  mock_resource "aws_db_instance" {
    defaults = {
      address            = "registry.example.internal"
      port               = 5432
      master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:000000000000:secret:rds-db-credentials", kms_key_id = "", secret_status = "active" }]
    }
  }
}

variables {
  name                    = "driftline-test-registry"
  vpc_id                  = "vpc-00000000"
  subnet_ids              = ["subnet-a", "subnet-b"]
  allowed_security_groups = { services = "sg-tasks" }
}

run "lets_rds_own_the_password" {
  command = plan

  assert {
    condition     = aws_db_instance.this.manage_master_user_password == true && aws_db_instance.this.password == null
    error_message = "the master password must be managed by RDS, never set by Terraform"
  }
}

run "keeps_the_database_private_encrypted_and_protected" {
  command = plan

  assert {
    condition     = aws_db_instance.this.publicly_accessible == false && aws_db_instance.this.storage_encrypted
    error_message = "the database must be private and encrypted"
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection && aws_db_instance.this.multi_az
    error_message = "production defaults: deletion protection and multi-AZ"
  }

  assert {
    condition     = anytrue([for p in aws_db_parameter_group.this.parameter : p.name == "rds.force_ssl" && p.value == "1"])
    error_message = "clients must use TLS"
  }
}

run "opens_postgres_to_the_allowed_groups_only" {
  command = plan

  assert {
    condition     = aws_vpc_security_group_ingress_rule.clients["services"].from_port == 5432 && aws_vpc_security_group_ingress_rule.clients["services"].referenced_security_group_id == "sg-tasks"
    error_message = "only the services may reach 5432"
  }
}

run "publishes_a_url_without_the_password_and_the_secret_arn" {
  command = apply

  assert {
    condition     = output.database_url == "postgresql+psycopg://driftline@registry.example.internal:5432/registry?sslmode=require"
    error_message = "unexpected database URL"
  }

  assert {
    condition     = output.password_secret_arn == "arn:aws:secretsmanager:eu-west-1:000000000000:secret:rds-db-credentials"
    error_message = "the secret ARN must be published for the services"
  }
}

run "derives_the_parameter_family_from_the_engine_version" {
  command = plan

  variables {
    engine_version = "15.7"
  }

  assert {
    condition     = aws_db_parameter_group.this.family == "postgres15"
    error_message = "expected the postgres15 family"
  }
}
