"""Notifications to an Event Grid custom topic with azure-eventgrid: CloudEvents, the managed
identity's token (EventGrid Data Sender), never a key; short timeouts and few retries, so a dead topic
costs a function invocation seconds, not minutes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
)

from ..core.ports import DeliveryFailed
from ..settings import Settings
from ._pipeline import USER_AGENT

try:
    # For a basic (custom) topic the public `azure.eventgrid.EventGridPublisherClient` (4.20 and later)
    # delegates to this client but passes it only the endpoint, credential and api-version, dropping
    # retry, timeout and TLS options; passed per call instead, they reach the generated CloudEvent model
    # too, which logs a warning for each. This client takes them as azure-core documents.
    from azure.eventgrid._legacy import EventGridPublisherClient
except ImportError:  # pragma: no cover - a release without the split: the public client is this one
    from azure.eventgrid import EventGridPublisherClient  # type: ignore[assignment]  # the same API, public

#: Retries per publish (azure-core counts status, connect and read retries under `retry_total`).
RETRIES = 2
#: Seconds: connect, read, and the whole publish with its retries (azure-core's RetryPolicy `timeout`).
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
TOTAL_TIMEOUT = 20


def client_options(settings: Settings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "retry_total": RETRIES,
        "retry_connect": RETRIES,
        "retry_read": RETRIES,
        "retry_status": RETRIES,
        "retry_backoff_factor": 0.4,
        "retry_backoff_max": 2,
        "timeout": TOTAL_TIMEOUT,
        "connection_timeout": CONNECT_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
        "user_agent": USER_AGENT,
    }
    if settings.ca_bundle:
        options["connection_verify"] = settings.ca_bundle
    return options


class EventGridTopic:
    """`shared.observers.notify.Publisher` over one Event Grid topic (CloudEvents 1.0 input schema)."""

    def __init__(self, credential: TokenCredential, settings: Settings) -> None:
        settings.require("PEDNS_NOTIFY_TOPIC_ENDPOINT")
        self._endpoint = settings.notify_topic_endpoint
        self._client = EventGridPublisherClient(self._endpoint, credential, **client_options(settings))

    @property
    def target(self) -> str:
        return urlsplit(self._endpoint).netloc

    def publish(self, events: Sequence[dict[str, Any]]) -> None:
        """One POST with every event (`application/cloudevents-batch+json`); DeliveryFailed when the
        topic did not take them after the bounded retries."""
        try:
            self._client.send(list(events))
        except ClientAuthenticationError as exc:  # 401, or no token at all
            raise DeliveryFailed(_one_line(exc), kind="auth") from exc
        except HttpResponseError as exc:
            raise DeliveryFailed(_one_line(exc), kind=f"http-{exc.status_code}") from exc
        except (ServiceRequestTimeoutError, ServiceResponseTimeoutError) as exc:
            raise DeliveryFailed(_one_line(exc), kind="timeout") from exc
        except ServiceRequestError as exc:
            raise DeliveryFailed(_one_line(exc), kind="connection") from exc
        except ServiceResponseError as exc:
            raise DeliveryFailed(_one_line(exc), kind="response") from exc
        except AzureError as exc:
            raise DeliveryFailed(_one_line(exc), kind="azure") from exc

    def close(self) -> None:
        self._client.close()


def _one_line(exc: Exception, limit: int = 300) -> str:
    """The failure in one line: `HTTP 503 ServiceUnavailable: <message>` or `<ErrorType>: <message>`."""
    error = getattr(exc, "error", None)
    status = getattr(exc, "status_code", None)
    if status and error is not None and getattr(error, "code", None):
        text = f"HTTP {status} {error.code}: {getattr(error, 'message', '') or ''}"
    elif status:
        text = f"HTTP {status}: {getattr(exc, 'reason', '') or type(exc).__name__}"
    else:
        text = f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
