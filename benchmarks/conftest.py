import uuid

import pytest

from integration.conftest import azurite  # noqa: F401 - Azurite's Table service, as in the tests
from tests.conftest import app_env, emu, host, lab  # noqa: F401 - the same fixtures as the tests

#: Lines the benchmarks measured besides time (ARM request counts), printed after the table.
MEASURED: list[str] = []


@pytest.fixture(params=["no index", "table index"])
def index_mode(request, app_env, monkeypatch):  # noqa: F811 - requests the imported fixture
    """Run once with the scan fallback and once with the claim index in Azurite."""
    if request.param == "table index":
        from functions import _runtime

        monkeypatch.setenv("PEDNS_INDEX_CONNECTION_STRING",
                           request.getfixturevalue("azurite").connection_string())
        monkeypatch.setenv("PEDNS_INDEX_TABLE_NAME", "bench" + uuid.uuid4().hex[:12])
        _runtime.reset()
    return request.param


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    if MEASURED:
        terminalreporter.section("ARM requests")
        for line in MEASURED:
            terminalreporter.write_line(line)
