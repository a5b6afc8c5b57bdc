"""ARM's HTTP conventions, shared by every route of the emulator: the `Request` and `Response` the
server hands around, ARM's error answer (`ArmError`) and its common errors, JSON request bodies,
etags and conditional requests (If-Match / If-None-Match), and the paging of list answers.

Pure helpers with no state; the resource handlers, management groups, Resource Graph, Event Grid
and the long-running operations all build on them.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import uuid
from collections.abc import Mapping
from email.message import Message
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

#: Page size when `$top` is absent (the Private DNS API documents "up to 100").
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

#: A subscription id (or any GUID), as ARM checks it.
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_NOT_FOUND_FIX = "For more details please go to https://aka.ms/ARMResourceNotFoundFix"


@dataclass
class Request:
    method: str
    path: str  # raw (still percent-encoded), without the query
    query: dict[str, str]  # lower-cased names, first value
    headers: Mapping[str, str] | Message  # case-insensitive lookup (http.server's message)
    body: bytes
    origin: str  # "https://host:port", for absolute nextLinks

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ArmError(Exception):
    """An ARM error answer. `flat` gives `{"code", "message"}` instead of `{"error": {...}}`."""

    def __init__(self, status: int, code: str, message: str, *, flat: bool = False, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.flat = flat
        self.headers = headers or {}

    def response(self) -> Response:
        inner = {"code": self.code, "message": self.message}
        return Response(self.status, inner if self.flat else {"error": inner}, dict(self.headers))


# ---------------------------------------------------------------------- common errors

def bad(message: str, code: str = "BadRequest") -> ArmError:
    return ArmError(400, code, message)


def required_location(body: dict[str, Any]) -> str:
    """The body's `location`, which ARM requires of every tracked resource (400 LocationRequired)."""
    location = body.get("location")
    if not isinstance(location, str) or not location:
        raise bad("The 'location' property is required for this definition.", "LocationRequired")
    return location


def not_found(rtype: str, name: str, rg: str) -> ArmError:
    return ArmError(
        404, "ResourceNotFound",
        f"The Resource '{rtype}/{name}' under resource group '{rg}' was not found. {_NOT_FOUND_FIX}",
    )


def parent_not_found(parent: str) -> ArmError:
    return ArmError(
        404, "ParentResourceNotFound",
        f"Can not perform requested operation on nested resource. Parent resource '{parent}' not found. {_NOT_FOUND_FIX}",
    )


def method_not_allowed(req: Request) -> ArmError:
    return ArmError(405, "MethodNotAllowed", f"The requested method '{req.method}' is not allowed on '{unquote(req.path)}'.")


# ---------------------------------------------------------------------- etags and conditions

def strong_etag() -> str:
    return str(uuid.uuid4())


def weak_etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def _bare(etag: str) -> str:
    etag = etag.strip()
    if etag.startswith("W/"):
        etag = etag[2:]
    return etag.strip('"')


def check_conditions(req: Request, current: str | None) -> None:
    """Apply If-Match / If-None-Match against the current etag (None: the resource is absent).

    If-Match on an absent resource fails (RFC 9110 §13.1.1): a delete or update guarded by an etag
    must not quietly succeed on something that is no longer there.
    """
    if_match = req.header("If-Match")
    if if_match is not None:
        tags = [_bare(t) for t in if_match.split(",") if t.strip()]
        if current is None:
            raise ArmError(412, "PreconditionFailed",
                           f"The condition '{if_match}' in the If-Match header was not satisfied: the resource does not exist.",
                           flat=True)
        if "*" not in tags and _bare(current) not in tags:
            raise ArmError(412, "PreconditionFailed",
                           f"The condition '{if_match}' in the If-Match header was not satisfied. The current was '{current}'.",
                           flat=True)
    if_none_match = req.header("If-None-Match")
    if if_none_match is not None and current is not None:
        tags = [_bare(t) for t in if_none_match.split(",") if t.strip()]
        if "*" in tags or _bare(current) in tags:
            raise ArmError(412, "PreconditionFailed",
                           f"The condition '{if_none_match}' in the If-None-Match header was not satisfied. The current was '{current}'.",
                           flat=True)


# ---------------------------------------------------------------------- bodies

def json_body(req: Request) -> dict[str, Any]:
    if not req.body:
        raise bad("The request content was invalid and could not be deserialized: the body is empty.", "InvalidRequestContent")
    try:
        body = json.loads(req.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad(f"The request content was invalid and could not be deserialized: {exc}.", "InvalidRequestContent") from None
    if not isinstance(body, dict):
        raise bad("The request content was invalid and could not be deserialized: expected a JSON object.", "InvalidRequestContent")
    return body


def properties(body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties")
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise bad("The 'properties' member must be an object.")
    return props


def public(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as answered: a deep copy without the private bookkeeping keys."""
    return {k: copy.deepcopy(v) for k, v in resource.items() if not k.startswith("_")}


# ---------------------------------------------------------------------- paging

def _skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = raw.partition(":")
        if kind != "o":
            raise ValueError(raw)
        return max(0, int(value))
    except ValueError:
        raise bad(f"The $skiptoken '{token}' is not valid.", "InvalidSkipToken") from None


def page(req: Request, items: list[dict[str, Any]]) -> Response:
    """One page of a list answer (`$top`, `$skiptoken`), each item as answered (`public`), with an
    absolute `nextLink` while items remain."""
    top_raw = req.query.get("$top")
    top: int | None = None
    if top_raw is not None:
        try:
            top = int(top_raw)
        except ValueError:
            raise bad(f"The value '{top_raw}' of $top is not a valid integer.", "InvalidTopValue") from None
        if not 1 <= top <= MAX_PAGE_SIZE:
            raise bad(f"The value of $top must be between 1 and {MAX_PAGE_SIZE}.", "InvalidTopValue")
    size = top or DEFAULT_PAGE_SIZE
    start = _offset(req.query.get("$skiptoken"))
    body: dict[str, Any] = {"value": [public(i) for i in items[start:start + size]]}
    if start + size < len(items):
        params = [("api-version", req.query.get("api-version", ""))]
        if top is not None:
            params.append(("$top", str(top)))
        params.append(("$skiptoken", _skiptoken(start + size)))
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
        body["nextLink"] = f"{req.origin}{quote(unquote(req.path), safe='/@')}?{query}"
    return Response(200, body)
