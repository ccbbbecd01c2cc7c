mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_lb" {
    defaults = {
      dns_name = "driftline-test.elb.example"
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:loadbalancer/app/driftline-test/0"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:000000000000:targetgroup/svc/0" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::000000000000:role/driftline-test" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:eu-west-1:000000000000:task-definition/svc:1" }
  }
  mock_resource "aws_service_discovery_http_namespace" {
    defaults = { arn = "arn:aws:servicediscovery:eu-west-1:000000000000:namespace/ns-0" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = { repository_url = "000000000000.dkr.ecr.eu-west-1.amazonaws.com/driftline-test/svc" }
  }
}

variables {
  name               = "driftline-test"
  vpc_id             = "vpc-00000000"
  public_subnet_ids  = ["subnet-pa", "subnet-pb"]
  private_subnet_ids = ["subnet-a", "subnet-b"]
  image_tag          = "0123abc"
  services = {
    ingestion = { port = 8001 }
    training  = { port = 8003, public = false, cpu = 1024, memory = 4096 }
    serving   = { port = 8005, desired_count = 2, max_count = 6 }
  }
  environment           = { DRIFTLINE_PROFILE = "cloud" }
  secrets               = { DRIFTLINE_KAFKA_SASL_PASSWORD = "arn:aws:secretsmanager:eu-west-1:000000000000:secret:kafka:password::" }
  secret_arns           = ["arn:aws:secretsmanager:eu-west-1:000000000000:secret:kafka"]
  allowed_ingress_cidrs = ["10.0.0.0/8"]
}

run "runs_every_service_on_fargate_with_its_own_log_group" {
  command = plan

  assert {
    condition     = toset(keys(aws_ecs_service.service)) == toset(["ingestion", "training", "serving"])
    error_message = "expected one ECS service per Driftline service"
  }

  assert {
    condition     = alltrue([for s in aws_ecs_service.service : s.launch_type == "FARGATE" && !s.network_configuration[0].assign_public_ip])
    error_message = "tasks run on Fargate in private subnets"
  }

  assert {
    condition     = aws_cloudwatch_log_group.service["training"].name == "/driftline/driftline-test/training"
    error_message = "each service logs to its own group"
  }
}

run "puts_only_public_services_behind_the_load_balancer" {
  command = plan

  assert {
    condition     = toset(keys(aws_lb_listener.service)) == toset(["ingestion", "serving"])
    error_message = "training is a worker: no listener"
  }

  assert {
    condition     = aws_lb_listener.service["serving"].port == 8005 && aws_lb_listener.service["serving"].protocol == "HTTP"
    error_message = "serving listens on its own port; HTTP without a certificate"
  }

  assert {
    condition     = aws_lb_target_group.service["ingestion"].health_check[0].path == "/healthz"
    error_message = "the load balancer checks liveness"
  }
}

run "injects_secrets_from_secrets_manager_and_nothing_secret_in_plain_environment" {
  command = apply

  assert {
    condition     = jsondecode(aws_ecs_task_definition.service["ingestion"].container_definitions)[0].secrets[0].name == "DRIFTLINE_KAFKA_SASL_PASSWORD"
    error_message = "the Kafka password must come from Secrets Manager"
  }

  assert {
    condition     = !anytrue([for e in jsondecode(aws_ecs_task_definition.service["ingestion"].container_definitions)[0].environment : strcontains(e.name, "PASSWORD")])
    error_message = "no password in the plain environment"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.service["serving"].container_definitions)[0].image == "000000000000.dkr.ecr.eu-west-1.amazonaws.com/driftline-test/svc:0123abc"
    error_message = "images come from the service's ECR repository at the given tag"
  }

  assert {
    condition     = output.service_urls["serving"] == "http://driftline-test.elb.example:8005"
    error_message = "unexpected public URL"
  }

  assert {
    condition     = output.internal_service_urls["training"] == "http://training:8003"
    error_message = "services reach each other by name"
  }
}

run "autoscales_only_services_with_headroom" {
  command = plan

  assert {
    condition     = toset(keys(aws_appautoscaling_target.service)) == toset(["serving"])
    error_message = "only serving has max_count > desired_count"
  }
}

run "serves_https_with_a_certificate" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:000000000000:certificate/test"
  }

  assert {
    condition     = alltrue([for l in aws_lb_listener.service : l.protocol == "HTTPS"])
    error_message = "listeners must use HTTPS with a certificate"
  }
}

run "refuses_two_services_on_one_port" {
  command = plan

  variables {
    services = {
      ingestion = { port = 8001 }
      features  = { port = 8001 }
    }
  }

  expect_failures = [var.services]
}
