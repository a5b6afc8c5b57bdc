"""The ARM pipeline's own pieces: retry settings that mean what the README says, and the pacer."""

from __future__ import annotations

import pytest

from shared.adapters._pipeline import ARM_BUCKETS, Pacer, client_kwargs, kind_of, retry_policy
from shared.settings import Settings


@pytest.mark.parametrize("total", [0, 6, 12])
def test_pedns_arm_retry_total_is_the_bound_for_status_connect_and_read_retries(total):
    """azure-core keeps 3 status, connect and read retries unless told otherwise, so with the default
    of 6 a run of 5xx answers would stop after 3."""
    settings = Settings.from_env({"PEDNS_ARM_RETRY_TOTAL": str(total)})
    policy = retry_policy(settings)
    kwargs = client_kwargs(settings)

    assert (total, total, total, total) == (policy.total_retries, policy.connect_retries, policy.read_retries,
                                            policy.status_retries)
    assert (total, total, total) == (kwargs["retry_connect"], kwargs["retry_read"], kwargs["retry_status"])


class FakeTime:
    def __init__(self) -> None:
        self.now, self.slept = 0.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_pacer_spends_the_burst_then_waits_for_the_refill_rate():
    t = FakeTime()
    pacer = Pacer(clock=t.clock, sleep=t.sleep)
    size, refill = ARM_BUCKETS["write"]

    for _ in range(size + 20):
        pacer.take("arm", "sub", "write")

    assert (20, pytest.approx(20 / refill)) == (len(t.slept), t.now)


def test_the_pacer_believes_arm_when_it_says_fewer_requests_remain():
    t = FakeTime()
    pacer = Pacer(clock=t.clock, sleep=t.sleep)
    pacer.observe("arm", "sub", "read", 0)  # another caller used the bucket up

    pacer.take("arm", "sub", "read")
    pacer.take("arm", "other-sub", "read")

    assert [pytest.approx(1 / ARM_BUCKETS["read"][1])] == t.slept


@pytest.mark.parametrize(("method", "kind"), [("GET", "read"), ("HEAD", "read"), ("PUT", "write"),
                                              ("PATCH", "write"), ("POST", "write"), ("DELETE", "delete")])
def test_requests_take_from_arms_bucket_for_their_kind(method, kind):
    assert kind == kind_of(method)
