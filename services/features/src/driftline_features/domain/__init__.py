"""Pure decisions of the feature service: no Kafka, no Feast, no FastAPI."""
