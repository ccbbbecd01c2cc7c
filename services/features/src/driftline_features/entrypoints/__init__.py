"""Transports: the HTTP API and the DataIngested consumer; they translate, handlers decide."""
