"""Retirement's ports and their implementations (chosen in `bootstrap`)."""

from driftline_retirement.adapters.fakes import FakeArchive, FakeRegistryReader
from driftline_retirement.adapters.ports import (
    Archive,
    Ledger,
    RegistryReader,
    RegistryUnavailableError,
)
from driftline_retirement.adapters.registry_http import HttpRegistryReader
from driftline_retirement.adapters.sqlite_ledger import SqliteLedger
from driftline_retirement.adapters.store_archive import StoreArchive

__all__ = [
    "Archive",
    "FakeArchive",
    "FakeRegistryReader",
    "HttpRegistryReader",
    "Ledger",
    "RegistryReader",
    "RegistryUnavailableError",
    "SqliteLedger",
    "StoreArchive",
]
