output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "load_balancer_arn_suffix" {
  description = "ARN suffix of the load balancer (the CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffixes" {
  description = "ARN suffix of each public service's target group (the CloudWatch TargetGroup dimension)."
  value       = { for k, tg in aws_lb_target_group.service : k => tg.arn_suffix }
}

output "service_urls" {
  description = "Public URL of each service's API, through the load balancer."
  value       = { for k, s in local.public_services : k => "${local.scheme}://${aws_lb.this.dns_name}:${s.port}" }
}

output "internal_service_urls" {
  description = "URL of each service from inside the cluster (ECS Service Connect), as in docker-compose."
  value       = { for k, s in var.services : k => "http://${k}:${s.port}" }
}

output "ecr_repository_urls" {
  description = "ECR repository of each service's image."
  value       = { for k, r in aws_ecr_repository.service : k => r.repository_url }
}

output "log_group_names" {
  description = "CloudWatch log group of each service."
  value       = { for k, g in aws_cloudwatch_log_group.service : k => g.name }
}

output "service_names" {
  description = "ECS service name of each Driftline service."
  value       = { for k, s in aws_ecs_service.service : k => s.name }
}

output "tasks_security_group_id" {
  description = "Security group of the tasks (allow it into Kafka and PostgreSQL)."
  value       = aws_security_group.tasks.id
}

output "task_role_arn" {
  description = "IAM role the services run as."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "IAM role ECS uses to pull images and inject secrets."
  value       = aws_iam_role.execution.arn
}

output "listener_protocols" {
  description = "Protocol of each public service's listener (HTTPS with a certificate)."
  value       = { for k, l in aws_lb_listener.service : k => l.protocol }
}
