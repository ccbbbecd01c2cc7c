"""Transports: the REST API (OIP v2 + friendly predict) and the process entry points."""
