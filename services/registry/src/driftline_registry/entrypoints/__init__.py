"""Transports: the HTTP API and the worker (consumer + outbox relay); they translate, never decide."""
