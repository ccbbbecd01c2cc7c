# The composition moved from this folder into modules/platform: these blocks carry an
# existing state over (`terraform plan` shows moves, not replacements). They can go once
# every state of this environment has been applied with them.

moved {
  from = module.network
  to   = module.platform.module.network
}

moved {
  from = module.kafka
  to   = module.platform.module.kafka
}

moved {
  from = module.storage
  to   = module.platform.module.storage
}

moved {
  from = module.online_store
  to   = module.platform.module.online_store
}

moved {
  from = module.registry_db
  to   = module.platform.module.registry_db
}

moved {
  from = module.services
  to   = module.platform.module.services
}

moved {
  from = module.observability
  to   = module.platform.module.observability
}

moved {
  from = aws_secretsmanager_secret.api_tokens
  to   = module.platform.aws_secretsmanager_secret.api_tokens
}

moved {
  from = aws_secretsmanager_secret_version.api_tokens
  to   = module.platform.aws_secretsmanager_secret_version.api_tokens
}
