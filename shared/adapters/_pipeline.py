"""The HTTP pipeline every adapter shares: azure-core's retries (honouring Retry-After), pacing to
ARM's request buckets, ARM's bearer-token challenge policy, and the CA bundle for a local emulator.

Pacing: ARM throttles each subscription with token buckets per kind of request (Learn, "Understand
how Azure Resource Manager throttles requests": reads 250 + 25/s, writes 200 + 10/s, deletes
200 + 10/s). `Pacer` keeps the same buckets on the client and takes a token before each try, so a
large reconcile runs at the bucket's rate instead of drawing a storm of 429s; ARM's
`x-ms-ratelimit-remaining-subscription-*` headers pull the client's count down when other callers
share the bucket. One pacer serves every client of one service (`wiring.build_service`), as the
buckets are ARM's per caller.

Private DNS paces per zone as well (`_dns_limits`: 60 record writes a minute per zone, and the
rest): the pacer reserves each such request a slot in its zone's window too, so a reconcile that
must write thousands of records into one zone runs at the provider's rate instead of drawing 429s.
Instances cannot share their windows: a 429's `Retry-After` holds the window back for every
thread of this process, and azure-core's retry policy waits it out.

Patience (`patience`): a door that must not hold its worker (the Event Grid trigger) sets how long
a request may wait, for a slot or for a 429's Retry-After; a longer wait raises `TransientError`
at once, so Event Grid redelivers later instead.

Counting: a pacer given the service's `Metrics` also counts, per try, ARM's 429 answers
(`arm_throttled`) and the tries the retry policy sends again (`arm_retries`, by the status of the
try that failed), whatever client the request came from, and every wait for a slot (`paced_waits`,
by the limit: ARM's subscription bucket or Private DNS's window).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline import policies
from azure.mgmt.core import ARMPipelineClient
from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

from ..core.ports import Metrics
from ..errors import TransientError
from ..settings import Settings
from ._dns_limits import Window, dns_limit
from .patience import PATIENCE

USER_AGENT = "pedns/0.1"

#: ARM's per-subscription buckets: kind → (size, refill per second).
ARM_BUCKETS: dict[str, tuple[int, float]] = {"read": (250, 25.0), "write": (200, 10.0), "delete": (200, 10.0)}
_REMAINING = {
    "read": "x-ms-ratelimit-remaining-subscription-reads",
    "write": "x-ms-ratelimit-remaining-subscription-writes",
    "delete": "x-ms-ratelimit-remaining-subscription-deletes",
}


def _too_long(wait: float, what: str) -> TransientError:
    return TransientError(f"{what}: would wait {wait:.0f} s, longer than this handling may; try again later")


def kind_of(method: str) -> str:
    method = method.upper()
    return "delete" if method == "DELETE" else "read" if method in ("GET", "HEAD") else "write"


class Pacer:
    """Client-side copies of ARM's token buckets, one per (host, subscription, kind)."""

    def __init__(self, buckets: dict[str, tuple[int, float]] | None = None, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 metrics: Metrics | None = None) -> None:
        self._sizes = buckets or ARM_BUCKETS
        self.metrics = metrics  # where the pacing policy counts throttling and retries (None: nowhere)
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, str], tuple[float, float]] = {}  # key → (tokens, stamp)
        self._window = Window()  # Private DNS's per-zone and per-subscription limits

    def _level(self, key: tuple[str, str, str], now: float) -> float:
        size, refill = self._sizes[key[2]]
        tokens, stamp = self._tokens.get(key, (float(size), now))
        return min(float(size), tokens + (now - stamp) * refill)

    def take(self, host: str, subscription: str, kind: str) -> None:
        """Take a token, sleeping until one is there (`TransientError` past the context's patience)."""
        key = (host, subscription, kind)
        refill = self._sizes[kind][1]
        most = PATIENCE.get()
        with self._lock:
            now = self._clock()
            tokens = self._level(key, now) - 1.0
            if tokens < 0 and most is not None and -tokens / refill > most:
                raise _too_long(-tokens / refill, f"ARM's {kind} bucket for subscription {subscription}")
            self._tokens[key] = (tokens, now)  # may go below zero: later takers queue behind
        if tokens < 0:
            self._waited("arm", -tokens / refill)

    def take_slot(self, key: tuple[str, ...], per_minute: int) -> None:
        """A slot in a Private DNS window, sleeping until it comes (`TransientError` past the patience)."""
        wait, reserved = self._window.slot(key, per_minute, self._clock(), patience=PATIENCE.get())
        if not reserved:
            raise _too_long(wait, f"Private DNS's limit of {per_minute} {key[-1]}s a minute ({key[-3]})")
        if wait > 0:
            self._waited("private-dns", wait)

    def headroom(self, key: tuple[str, ...], per_minute: int) -> tuple[int, float]:
        """A Private DNS window's room now: (slots free, seconds until the next), reserving nothing."""
        return self._window.headroom(key, per_minute, self._clock())

    def hold(self, key: tuple[str, ...], seconds: float) -> None:
        """Private DNS answered 429: no request of this window goes before `seconds` from now."""
        self._window.block(key, self._clock() + seconds)

    def _waited(self, limit: str, seconds: float) -> None:
        if self.metrics is not None:
            self.metrics.count("paced_waits", limit=limit)
        self._sleep(seconds)

    def observe(self, host: str, subscription: str, kind: str, remaining: int) -> None:
        """ARM said how many requests remain: never believe in more than that."""
        key = (host, subscription, kind)
        with self._lock:
            now = self._clock()
            level = self._level(key, now)
            if remaining < level:
                self._tokens[key] = (float(remaining), now)


class PacingPolicy(policies.SansIOHTTPPolicy):
    """Per try: a token from the subscription's bucket before sending; ARM's remaining count after.

    In a pipeline of our own it is a policy after the retry policy; generated SDK clients build
    their own pipeline, so there its two halves ride on the per-try `raw_request_hook` /
    `raw_response_hook` of azure-core's CustomHookPolicy (see `client_kwargs`).
    """

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    @staticmethod
    def _where(method: str, url: str) -> tuple[str, str, str] | None:
        parts_url = urlsplit(url)
        parts = [p for p in parts_url.path.split("/") if p]
        if len(parts) < 2 or parts[0].lower() != "subscriptions":
            return None  # tenant-level (Resource Graph has its own quota)
        return parts_url.netloc, parts[1].lower(), kind_of(method)

    def on_request(self, request: PipelineRequest) -> None:
        http = request.http_request
        where = self._where(http.method, http.url)
        self._count_try(request, where)
        if where:
            self._pacer.take(*where)
        limit = dns_limit(http.method, http.url, http.headers)
        if limit is not None:
            self._pacer.take_slot(*limit)

    def on_response(self, request: PipelineRequest, response: PipelineResponse) -> None:
        self.response_hook(response)

    def response_hook(self, response: PipelineResponse) -> None:
        where = self._where(response.http_request.method, response.http_request.url)
        metrics = self._pacer.metrics
        status = response.http_response.status_code
        if metrics is not None:
            response.context[_LAST_STATUS] = status  # the next try, if any, is a retry of this one
            if status == 429:
                metrics.count("arm_throttled", request=where[2] if where else "tenant")
        if status == 429:
            self._throttled(response)
        if not where:
            return
        value = response.http_response.headers.get(_REMAINING[where[2]])
        if value is not None and value.strip().isdigit():
            self._pacer.observe(*where, int(value))

    def _throttled(self, response: PipelineResponse) -> None:
        """A 429: hold the Private DNS window back for its Retry-After; past the context's patience,
        give up at once (`TransientError`) instead of letting the retry policy sleep it out."""
        http = response.http_request
        after = _retry_after(response.http_response.headers.get("Retry-After"))
        limit = dns_limit(http.method, http.url, http.headers)
        if limit is not None and after:
            self._pacer.hold(limit[0], after)
        most = PATIENCE.get()
        if most is not None and (after or 0) > most:
            raise _too_long(after or 0, f"429 from {urlsplit(http.url).path}")

    def _count_try(self, request: PipelineRequest, where: tuple[str, str, str] | None) -> None:
        """The context lives as long as one call, across its tries: a second try is a retry."""
        metrics = self._pacer.metrics
        if metrics is None:
            return
        context = request.context
        tries = int(context.get(_TRIES, 0)) + 1
        context[_TRIES] = tries
        status = context.pop(_LAST_STATUS, None)
        if tries > 1:
            metrics.count("arm_retries", request=where[2] if where else "tenant",
                          status=str(status) if status is not None else "error")


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (ARM sends delta-seconds); None when absent or not a number."""
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


#: Keys of pedns's own in azure-core's per-call PipelineContext.
_TRIES, _LAST_STATUS = "pedns.tries", "pedns.last_status"


def client_kwargs(settings: Settings, *, pacer: Pacer | None = None) -> dict[str, Any]:
    """Keyword arguments for an Azure SDK client: endpoint, audience, retries, pacing, timeouts, TLS trust.

    `PEDNS_ARM_RETRY_TOTAL` bounds every kind of retry: azure-core counts status, connect and read
    retries separately (3 each by default) under `retry_total`.
    """
    retries = settings.arm_retry_total
    kwargs: dict[str, Any] = {
        "base_url": settings.arm_base_url,
        "credential_scopes": [settings.token_scope],
        "retry_total": retries,
        "retry_connect": retries,
        "retry_read": retries,
        "retry_status": retries,
        "retry_backoff_factor": 0.8,
        "retry_backoff_max": 30,
        "connection_timeout": 10,
        "read_timeout": settings.arm_timeout_seconds,
        "user_agent": USER_AGENT,
    }
    if pacer is not None:
        pacing = PacingPolicy(pacer)
        kwargs.update(raw_request_hook=pacing.on_request, raw_response_hook=pacing.response_hook)
    if settings.ca_bundle:
        kwargs["connection_verify"] = settings.ca_bundle
    return kwargs


def retry_policy(settings: Settings) -> policies.RetryPolicy:
    kwargs = client_kwargs(settings)
    return policies.RetryPolicy(**{k: kwargs[k] for k in (
        "retry_total", "retry_connect", "retry_read", "retry_status", "retry_backoff_factor", "retry_backoff_max")})


def arm_policies(credential: TokenCredential, settings: Settings, *, per_retry: Sequence[Any] = (),
                 pacer: Pacer | None = None) -> list[Any]:
    """The policies of an `ARMPipelineClient`; those after the retry policy run once per try."""
    return [
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.UserAgentPolicy(sdk_moniker=USER_AGENT),
        retry_policy(settings),
        *([PacingPolicy(pacer)] if pacer is not None else []),
        *per_retry,
        ARMChallengeAuthenticationPolicy(credential, settings.token_scope),
        policies.NetworkTraceLoggingPolicy(),
        ARMHttpLoggingPolicy(),
    ]


def arm_client(credential: TokenCredential, settings: Settings, *, per_retry: Sequence[Any] = (),
               pacer: Pacer | None = None) -> Any:
    """An `ARMPipelineClient` on our policies, for the requests no generated SDK client is needed for."""
    kwargs = client_kwargs(settings)
    transport = {k: kwargs[k] for k in ("connection_verify", "connection_timeout", "read_timeout") if k in kwargs}
    return ARMPipelineClient(base_url=settings.arm_base_url,
                             policies=arm_policies(credential, settings, per_retry=per_retry, pacer=pacer),
                             **transport)
