"""Azurite's Table service, in memory on a free port, for the tests (tests/integration/conftest.py)
and the event-burst benchmark (benchmarks/burst.py): one way to start it, wait for it and stop it."""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AZURITE_TABLE = ROOT / "node_modules" / ".bin" / "azurite-table"
#: Azurite's well-known development account (published in its README; not a secret).
DEV_ACCOUNT = "devstoreaccount1"
DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
START_TIMEOUT = 30.0


class NotStarted(RuntimeError):
    """Azurite exited or did not listen in time; the message ends with its log."""


def connection_string(port: int) -> str:
    return (f"DefaultEndpointsProtocol=http;AccountName={DEV_ACCOUNT};AccountKey={DEV_KEY};"
            f"TableEndpoint=http://127.0.0.1:{port}/{DEV_ACCOUNT};")


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def table_service() -> Iterator[int]:
    """Azurite's Table service running until the block ends; yields its port.

    --inMemoryPersistence refuses --location, so a temporary directory is the working directory
    instead: anything Azurite writes (debug logs) lands there and is removed."""
    port = free_port()
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
                        raise NotStarted(f"Azurite did not start on port {port}: {log_path.read_text()[-2000:]}")
                    time.sleep(0.05)
                yield port
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
