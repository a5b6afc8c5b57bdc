"""The HTTP pipeline every adapter shares: azure-core's retries (honouring Retry-After), ARM's
bearer-token challenge policy, and the CA bundle for a local emulator."""

from __future__ import annotations

from typing import Any

from azure.core.credentials import TokenCredential
from azure.core.pipeline import policies

from ..settings import Settings

USER_AGENT = "pedns/0.1"


def client_kwargs(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for an Azure SDK client: endpoint, audience, retries, timeouts, TLS trust."""
    kwargs: dict[str, Any] = {
        "base_url": settings.arm_base_url,
        "credential_scopes": [settings.token_scope],
        "retry_total": settings.arm_retry_total,
        "retry_backoff_factor": 0.8,
        "retry_backoff_max": 30,
        "connection_timeout": 10,
        "read_timeout": settings.arm_timeout_seconds,
        "user_agent": USER_AGENT,
    }
    if settings.ca_bundle:
        kwargs["connection_verify"] = settings.ca_bundle
    return kwargs


def arm_policies(credential: TokenCredential, settings: Settings) -> list[Any]:
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

    kwargs = client_kwargs(settings)
    return [
        policies.RequestIdPolicy(),
        policies.HeadersPolicy(),
        policies.UserAgentPolicy(sdk_moniker=USER_AGENT),
        policies.RetryPolicy(
            retry_total=kwargs["retry_total"],
            retry_backoff_factor=kwargs["retry_backoff_factor"],
            retry_backoff_max=kwargs["retry_backoff_max"],
        ),
        ARMChallengeAuthenticationPolicy(credential, settings.token_scope),
        policies.NetworkTraceLoggingPolicy(),
        ARMHttpLoggingPolicy(),
    ]
