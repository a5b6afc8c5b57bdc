"""Azurite's Table service for the claim index tests: started once per session, stopped at the end."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AZURITE_TABLE = ROOT / "node_modules" / ".bin" / "azurite-table"
#: Azurite's well-known development account (published in its README; not a secret).
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Azurite:
    port: int

    def connection_string(self, port: int | None = None) -> str:
        return (f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
                f"TableEndpoint=http://127.0.0.1:{port or self.port}/{DEV_ACCOUNT};")

    @staticmethod
    def free_port() -> int:
        """A port nothing listens on (for an unreachable table)."""
        return free_port()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def azurite():
    if not AZURITE_TABLE.exists() or shutil.which("node") is None:
        reason = f"Azurite is not installed ({AZURITE_TABLE.relative_to(ROOT)}); run `npm install` or `make test`"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run the claim index tests)")
        pytest.skip(reason)
    port = free_port()
    # --inMemoryPersistence refuses --location, so the temporary directory is the working
    # directory instead: anything Azurite writes (debug logs) lands there and is removed.
    with tempfile.TemporaryDirectory(prefix="pedns-azurite-") as workdir:
        log_path = Path(workdir) / "azurite.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                [str(AZURITE_TABLE), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck",
                 "--tableHost", "127.0.0.1", "--tablePort", str(port)],
                cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
            )
            try:
                deadline = time.monotonic() + START_TIMEOUT
                while not _accepts(port):
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"Azurite did not start on port {port}: {log_path.read_text()[-2000:]}")
                    time.sleep(0.05)
                yield Azurite(port)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
