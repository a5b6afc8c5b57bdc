"""Emulators started from one state dir (one checkout's `.pedns/emulator`) share its CA: any number run
side by side, and a client that trusts `ca.pem` reaches each, also after another one started."""

from __future__ import annotations

import os
import signal
import ssl
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import trustme

from emulator import Emulator

REPO = Path(__file__).resolve().parents[2]


def reach(base_url: str, cafile: str) -> int:
    """A new TLS connection (the CA file read now, as an SDK's new connection pool does) and one request."""
    context = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(base_url + "/_emulator/requests", context=context, timeout=5) as answer:
        return answer.status


def test_two_emulators_from_one_state_dir_share_its_ca_and_both_answer_after_both_started(tmp_path):
    with Emulator(state_dir=tmp_path) as first:
        before = ssl.create_default_context(cafile=first.ca_path)  # a client of the first, made before the second
        with Emulator(state_dir=tmp_path) as second:
            with urllib.request.urlopen(first.base_url + "/_emulator/requests", context=before, timeout=5) as answer:
                old_client = answer.status

            assert (first.ca_path, 200, 200, 200) == (
                second.ca_path, old_client, reach(first.base_url, first.ca_path), reach(second.base_url, second.ca_path))


def launch(cwd: Path) -> subprocess.Popen[str]:
    """`pedns emulator --port 0` with the default state dir (`.pedns/emulator`), run from `cwd` (a checkout)."""
    return subprocess.Popen([sys.executable, "-m", "shared.cli", "emulator", "--port", "0"], cwd=cwd,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def ready(proc: subprocess.Popen[str]) -> dict[str, str]:
    """The export lines it printed before `ready`."""
    exports: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.strip()
        if line == "ready":
            return exports
        name, _, value = line.removeprefix("export ").partition("=")
        exports[name] = value
    proc.wait(timeout=10)
    raise AssertionError(f"pedns emulator did not start: {proc.stderr.read() if proc.stderr else ''}")


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=10)


@pytest.mark.parametrize("together", [False, True], ids=["one-after-the-other", "at-the-same-moment"])
def test_two_pedns_emulator_processes_from_one_checkout_with_default_settings_both_serve(tmp_path, together):
    first = launch(tmp_path)
    try:
        second = launch(tmp_path) if together else None
        first_env = ready(first)
        second = second or launch(tmp_path)
        try:
            second_env = ready(second)
            reached = (reach(first_env["PEDNS_ARM_ENDPOINT"], first_env["PEDNS_CA_BUNDLE"]),
                       reach(second_env["PEDNS_ARM_ENDPOINT"], second_env["PEDNS_CA_BUNDLE"]))
        finally:
            second_code = stop(second)
        after_second_stopped = reach(first_env["PEDNS_ARM_ENDPOINT"], first_env["PEDNS_CA_BUNDLE"])
    finally:
        first_code = stop(first)

    bundle = str(tmp_path.resolve() / ".pedns" / "emulator" / "ca.pem")
    assert (bundle, bundle) == (first_env["PEDNS_CA_BUNDLE"], second_env["PEDNS_CA_BUNDLE"])
    assert ((200, 200), 200, 0, 0) == (reached, after_second_stopped, second_code, first_code)


def test_the_ca_is_reused_across_restarts_and_its_key_is_readable_by_its_owner_only(tmp_path):
    with Emulator(state_dir=tmp_path) as emu:
        first = Path(emu.ca_path).read_bytes()
    with Emulator(state_dir=tmp_path) as emu:
        again = Path(emu.ca_path).read_bytes()
        reached = reach(emu.base_url, emu.ca_path)

    mode = stat.S_IMODE((tmp_path / "ca-key.pem").stat().st_mode)
    assert (first, 200, 0o600) == (again, reached, mode)


def other_ca_key_file() -> bytes:
    """A key and a certificate that do not belong together."""
    return trustme.CA().private_key_pem.bytes() + trustme.CA().cert_pem.bytes()


def not_a_ca() -> bytes:
    """A leaf certificate with its own key: valid, but no CA."""
    leaf = trustme.CA().issue_cert("example.test")
    key, cert = leaf.private_key_pem.bytes(), leaf.cert_chain_pems[0].bytes()
    return key + cert


@pytest.mark.parametrize("content", [b"", b"not PEM at all", other_ca_key_file(), not_a_ca()],
                         ids=["empty", "garbage", "key-not-the-certificates", "not-a-ca"])
def test_an_unusable_ca_in_the_state_dir_is_replaced(tmp_path, content):
    (tmp_path / "ca-key.pem").write_bytes(content)
    (tmp_path / "ca.pem").write_bytes(b"stale")

    with Emulator(state_dir=tmp_path) as emu:
        reached = reach(emu.base_url, emu.ca_path)

    assert (200, True) == (reached, (tmp_path / "ca-key.pem").read_bytes() != content)


def test_an_emulator_starting_while_another_writes_the_ca_waits_for_it(tmp_path):
    """The state dir's lock: without it, two emulators starting at one moment could each write a CA."""
    fcntl = pytest.importorskip("fcntl")
    code = "import sys; from pathlib import Path; from emulator._server import state_dir_ca; state_dir_ca(Path(sys.argv[1]))"
    with open(tmp_path / ".ca.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as an emulator holds it while it makes the CA
        proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], env={**os.environ, "PYTHONPATH": str(REPO)})
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                proc.wait(timeout=1.5)
            waited = not (tmp_path / "ca-key.pem").exists()
        finally:
            fcntl.flock(held.fileno(), fcntl.LOCK_UN)
        code_after = proc.wait(timeout=10)

    assert (True, 0, True) == (waited, code_after, (tmp_path / "ca-key.pem").exists())
