"""Azure SDK errors → pedns errors, at the edge (`raise … from exc`)."""

from __future__ import annotations

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

from ..errors import Conflict, NotFound, PednsError, PermanentError, TransientError


def error_code(exc: HttpResponseError) -> str:
    """ARM's error code from either body shape: `{"error": {"code"}}` or the flat `{"code"}` of 412s."""
    if exc.error is not None and exc.error.code:
        return str(exc.error.code)
    response = exc.response
    try:
        read = getattr(response, "json", None)  # azure.core.rest responses have it; legacy transports do not
        body = read() if read is not None else None
    except Exception:  # noqa: BLE001 - a body that is not JSON has no code
        return ""
    if isinstance(body, dict):
        error = body.get("error")
        inner = error if isinstance(error, dict) else body
        return str(inner.get("code", ""))
    return ""


def translate(exc: Exception, what: str) -> PednsError:
    """The pedns error for an SDK exception raised while doing `what`."""
    if isinstance(exc, (ResourceModifiedError, ResourceExistsError)):
        return Conflict(f"{what}: {error_code(exc) or 'precondition failed'}")
    if isinstance(exc, ResourceNotFoundError):
        return NotFound(f"{what}: {error_code(exc) or 'not found'}")
    if isinstance(exc, ClientAuthenticationError):
        return PermanentError(f"{what}: authentication failed ({_short(exc)})")
    if isinstance(exc, HttpResponseError):
        status = exc.status_code or 0
        if status == 412:
            return Conflict(f"{what}: precondition failed")
        if status == 404:
            return NotFound(f"{what}: {error_code(exc) or 'not found'}")
        if status in (408, 429) or status >= 500:
            return TransientError(f"{what}: HTTP {status} {error_code(exc)} after retries".rstrip())
        return PermanentError(f"{what}: HTTP {status} {error_code(exc)}: {_short(exc)}")
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return TransientError(f"{what}: {type(exc).__name__}: {_short(exc)}")
    return PednsError(f"{what}: {type(exc).__name__}: {_short(exc)}")


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
