"""The skewed-estate benchmark still runs (a tiny estate; never timed: its figures are not checked,
only that it fills, drifts and converges the estate exactly)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_the_skewed_benchmark_fills_drifts_and_converges_a_tiny_estate(capsys):
    from benchmarks import skewed

    assert 0 == skewed.main(["--endpoints", "60", "--subscriptions", "3", "--scale", "20", "--budget", "30",
                             "--drift", "0.2"])

    out = capsys.readouterr().out
    assert "Records exact afterwards: 60 of 60; wrong, missing or extra: 0." in out
    assert "Records exact afterwards: 56 of 56; wrong, missing or extra: 0. One more run changed 0 record(s)." in out
