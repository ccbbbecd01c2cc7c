mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name = "driftline-test"
  azs  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
}

run "spreads_one_private_and_one_public_subnet_per_az" {
  command = plan

  assert {
    condition     = length(aws_subnet.private) == 3 && length(aws_subnet.public) == 3
    error_message = "expected one private and one public subnet per AZ"
  }

  assert {
    condition     = aws_subnet.private[0].cidr_block == "10.40.0.0/20" && aws_subnet.public[2].cidr_block == "10.40.242.0/24"
    error_message = "subnets are not carved from the VPC CIDR as documented"
  }

  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "public subnets must not hand out public IPs by default"
  }
}

run "gives_each_az_its_own_nat_gateway_by_default" {
  command = plan

  assert {
    condition     = length(aws_nat_gateway.this) == 3 && output.nat_gateway_count == 3
    error_message = "expected one NAT gateway per AZ"
  }
}

run "shares_one_nat_gateway_when_asked" {
  command = plan

  variables {
    single_nat_gateway = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_route.private_nat) == 3
    error_message = "expected one NAT gateway routed from every private subnet"
  }
}

run "routes_s3_and_dynamodb_through_gateway_endpoints" {
  command = plan

  assert {
    condition     = aws_vpc_endpoint.gateway["s3"].service_name == "com.amazonaws.eu-west-1.s3"
    error_message = "expected an S3 gateway endpoint in the VPC's region"
  }

  assert {
    condition     = aws_vpc_endpoint.gateway["dynamodb"].vpc_endpoint_type == "Gateway"
    error_message = "expected a DynamoDB gateway endpoint"
  }
}

run "turns_flow_logs_off_with_zero_retention" {
  command = plan

  variables {
    flow_logs_retention_days = 0
  }

  assert {
    condition     = length(aws_flow_log.this) == 0 && length(aws_cloudwatch_log_group.flow_logs) == 0
    error_message = "flow logs should be off"
  }
}

run "refuses_a_single_availability_zone" {
  command = plan

  variables {
    azs = ["eu-west-1a"]
  }

  expect_failures = [var.azs]
}
