"""The path segments of the ARM URLs pedns builds itself, each percent-encoded whole.

`quote(value, safe="")`: a `/`, `?`, `#` or `%` inside a value cannot start another segment, a query
or a fragment, even if a value reached here without being validated (the settings and the parsers
validate names first; this is the second line). Encoding cannot neutralise a dot segment (`.` and `..`
are unreserved, and requests removes dot segments before sending), so those are refused outright.

What azure-mgmt-privatedns 2.0.0 does itself (`azure/mgmt/privatedns/operations/_operations.py`):
every path parameter goes through `Serializer.url`, which quotes with `safe=""` — except the record
set's relative name (`relative_record_set_name`, `skip_quote=True`, from the spec's
`x-ms-skip-url-encoding`), which is sent as given but for `{` and `}`. So pedns encodes the record
name itself before handing it to the SDK (`record_name`), and only checks the others (`checked`).
"""

from __future__ import annotations

from urllib.parse import quote

from ..errors import InvalidInput

_DOT_SEGMENTS = ("", ".", "..")


def checked(value: str) -> str:
    """`value` unchanged, for an SDK parameter the SDK encodes itself; InvalidInput for a value that
    no encoding keeps inside its segment (empty, `.` or `..`)."""
    if value in _DOT_SEGMENTS:
        raise InvalidInput(f"{value!r} cannot be a segment of an ARM URL")
    return value


def segment(value: str) -> str:
    """One path segment of an ARM URL pedns builds, percent-encoded whole."""
    return quote(checked(value), safe="")


def record_name(value: str) -> str:
    """A record set's relative name for the SDK, which does not encode it: percent-encoded whole
    except `@`, the apex, a plain path character (RFC 3986 `pchar`) that cannot end a segment, sent
    as the SDK sends it."""
    return quote(checked(value), safe="@")


def resource_path(resource_id: str) -> str:
    """A resource id as a URL path (`/subscriptions/…`), each segment percent-encoded whole."""
    return "/" + "/".join(segment(part) for part in resource_id.strip("/").split("/"))
