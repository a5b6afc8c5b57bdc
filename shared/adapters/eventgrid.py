"""Notifications to an Event Grid custom topic: CloudEvents, the managed identity's token (EventGrid
Data Sender), never a key; short timeouts and few retries, so a dead topic costs a function invocation
seconds, not minutes.

azure-core's public pipeline, not azure-eventgrid: for a basic topic, the public
`azure.eventgrid.EventGridPublisherClient` (4.20 to 4.22 at least) builds its inner client from the
endpoint and credential alone, dropping retry, timeout and TLS options; passed per call instead, they
reach the generated CloudEvent model too, which logs a warning for each. The publish itself is one
POST, done here as that client does it (azure-eventgrid `_legacy/_publisher_client.py`,
`_legacy/_constants.py`): `{endpoint}?api-version=2018-01-01`, `Content-Type:
application/cloudevents-batch+json; charset=utf-8`, a JSON array of CloudEvents, a bearer token for
`https://eventgrid.azure.net/.default`; 200 is success, 401 `ClientAuthenticationError`, anything
else `HttpResponseError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from azure.core import PipelineClient
from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceRequestTimeoutError,
    ServiceResponseError,
    ServiceResponseTimeoutError,
    map_error,
)
from azure.core.pipeline import policies
from azure.core.pipeline.transport import RequestsTransport
from azure.core.rest import HttpRequest

from ..core.ports import DeliveryFailed
from ..settings import Settings
from ._pipeline import USER_AGENT

#: The data-plane api-version of custom topics (azure-eventgrid's default for a basic topic).
API_VERSION = "2018-01-01"
#: The token audience of Event Grid's data plane, in every cloud (azure-eventgrid's `DEFAULT_EVENTGRID_SCOPE`).
SCOPE = "https://eventgrid.azure.net/.default"
CONTENT_TYPE = "application/cloudevents-batch+json; charset=utf-8"


@dataclass(frozen=True)
class Bounds:
    """How long one publish may take. azure-core's retry policy retries a POST only on 500, 503 and
    504 (its method list leaves POST out for connection and read errors, 408 and 429: a publish that
    timed out may have been taken), each retry after an exponential backoff."""

    #: Retries per publish (`retry_total`, and each of connect, read and status).
    retries: int = 2
    backoff_factor: float = 0.4
    backoff_max: float = 2
    #: Seconds: to connect, to read the answer, and the whole publish with its retries (azure-core's
    #: RetryPolicy `timeout`).
    connect_timeout: float = 5
    read_timeout: float = 10
    total_timeout: float = 20


BOUNDS = Bounds()


def pipeline_client(credential: TokenCredential, settings: Settings, bounds: Bounds = BOUNDS) -> PipelineClient:
    """azure-core's client with the bounds in its retry policy and transport, and the CA bundle of a
    local emulator."""
    transport = RequestsTransport(connection_timeout=bounds.connect_timeout, read_timeout=bounds.read_timeout,
                                  connection_verify=settings.ca_bundle or True)
    retry = policies.RetryPolicy(retry_total=bounds.retries, retry_connect=bounds.retries, retry_read=bounds.retries,
                                 retry_status=bounds.retries, retry_backoff_factor=bounds.backoff_factor,
                                 retry_backoff_max=bounds.backoff_max, timeout=bounds.total_timeout)
    return PipelineClient(base_url="", transport=transport, policies=[
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.UserAgentPolicy(user_agent=USER_AGENT),
        policies.ProxyPolicy(),
        policies.ContentDecodePolicy(),
        retry,
        policies.BearerTokenCredentialPolicy(credential, SCOPE),
        policies.NetworkTraceLoggingPolicy(),
        policies.HttpLoggingPolicy(),
    ])


class EventGridTopic:
    """`shared.observers.notify.Publisher` over one Event Grid topic (CloudEvents 1.0 input schema)."""

    def __init__(self, credential: TokenCredential, settings: Settings, *, bounds: Bounds = BOUNDS) -> None:
        settings.require("PEDNS_NOTIFY_TOPIC_ENDPOINT")
        self._endpoint = settings.notify_topic_endpoint
        self._client = pipeline_client(credential, settings, bounds)

    @property
    def target(self) -> str:
        return urlsplit(self._endpoint).netloc

    def publish(self, events: Sequence[dict[str, Any]]) -> None:
        """One POST with every event (`application/cloudevents-batch+json`); DeliveryFailed when the
        topic did not take them within the bounds."""
        request = HttpRequest("POST", self._endpoint, params={"api-version": API_VERSION}, json=list(events),
                              headers={"Content-Type": CONTENT_TYPE})
        try:
            response = self._client.send_request(request)
            if response.status_code != 200:
                map_error(status_code=response.status_code, response=response,
                          error_map={401: ClientAuthenticationError, 404: ResourceNotFoundError,
                                     409: ResourceExistsError})
                raise HttpResponseError(response=response)
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
