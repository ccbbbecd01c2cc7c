"""Test support shared by the library's and the services' test suites."""

from driftline.testing.kafka import KafkaBackend, choose_kafka_backend, docker_engine_problem

__all__ = ["KafkaBackend", "choose_kafka_backend", "docker_engine_problem"]
