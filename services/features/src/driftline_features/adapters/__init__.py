"""Ports and their concrete implementations (offline Parquet, online stores)."""
