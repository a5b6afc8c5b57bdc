"""The HTTP pipeline every adapter shares: azure-core's retries (honouring Retry-After), pacing to
ARM's request buckets, ARM's bearer-token challenge policy, and the CA bundle for a local emulator.

Pacing: ARM throttles each subscription with token buckets per kind of request (Learn, "Understand
how Azure Resource Manager throttles requests": reads 250 + 25/s, writes 200 + 10/s, deletes
200 + 10/s). `Pacer` keeps the same buckets on the client and takes a token before each try, so a
large reconcile runs at the bucket's rate instead of drawing a storm of 429s; ARM's
`x-ms-ratelimit-remaining-subscription-*` headers pull the client's count down when other callers
share the bucket. One pacer serves every client of one service (`wiring.build_service`), as the
buckets are ARM's per caller.

Counting: a pacer given the service's `Metrics` also counts, per try, ARM's 429 answers
(`arm_throttled`) and the tries the retry policy sends again (`arm_retries`, by the status of the
try that failed), whatever client the request came from.
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
from ..settings import Settings

USER_AGENT = "pedns/0.1"

#: ARM's per-subscription buckets: kind → (size, refill per second).
ARM_BUCKETS: dict[str, tuple[int, float]] = {"read": (250, 25.0), "write": (200, 10.0), "delete": (200, 10.0)}
_REMAINING = {
    "read": "x-ms-ratelimit-remaining-subscription-reads",
    "write": "x-ms-ratelimit-remaining-subscription-writes",
    "delete": "x-ms-ratelimit-remaining-subscription-deletes",
}


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

    def _level(self, key: tuple[str, str, str], now: float) -> float:
        size, refill = self._sizes[key[2]]
        tokens, stamp = self._tokens.get(key, (float(size), now))
        return min(float(size), tokens + (now - stamp) * refill)

    def take(self, host: str, subscription: str, kind: str) -> None:
        """Take a token, sleeping until one is there."""
        key = (host, subscription, kind)
        refill = self._sizes[kind][1]
        with self._lock:
            now = self._clock()
            tokens = self._level(key, now) - 1.0
            self._tokens[key] = (tokens, now)  # may go below zero: later takers queue behind
        if tokens < 0:
            self._sleep(-tokens / refill)

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
        where = self._where(request.http_request.method, request.http_request.url)
        self._count_try(request, where)
        if where:
            self._pacer.take(*where)

    def on_response(self, request: PipelineRequest, response: PipelineResponse) -> None:
        self.response_hook(response)

    def response_hook(self, response: PipelineResponse) -> None:
        where = self._where(response.http_request.method, response.http_request.url)
        metrics = self._pacer.metrics
        if metrics is not None:
            status = response.http_response.status_code
            response.context[_LAST_STATUS] = status  # the next try, if any, is a retry of this one
            if status == 429:
                metrics.count("arm_throttled", request=where[2] if where else "tenant")
        if not where:
            return
        value = response.http_response.headers.get(_REMAINING[where[2]])
        if value is not None and value.strip().isdigit():
            self._pacer.observe(*where, int(value))

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
