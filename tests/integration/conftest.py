"""Azurite's Table service for the claim index tests: started once per session, stopped at the end
(`tools/azurite.py`, which the event-burst benchmark uses too)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

from tools import azurite as service


@dataclass(frozen=True)
class Azurite:
    port: int

    def connection_string(self, port: int | None = None) -> str:
        return service.connection_string(port or self.port)

    @staticmethod
    def free_port() -> int:
        """A port nothing listens on (for an unreachable table)."""
        return service.free_port()


@pytest.fixture(scope="session")
def azurite():
    if not service.AZURITE_TABLE.exists() or shutil.which("node") is None:
        reason = (f"Azurite is not installed ({service.AZURITE_TABLE.relative_to(service.ROOT)}); "
                  "run `npm install` or `make test`")
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run the claim index tests)")
        pytest.skip(reason)
    try:
        with service.table_service() as port:
            yield Azurite(port)
    except service.NotStarted as exc:
        pytest.fail(str(exc))
