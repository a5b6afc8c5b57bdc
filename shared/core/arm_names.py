"""ARM's naming rules for the two parts of every resource id pedns checks: the subscription id and
the resource group name (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).

One definition for the settings (`PEDNS_DNS_SUBSCRIPTION_ID`, `PEDNS_DNS_RESOURCE_GROUP`, …) and for
the ids parsed from ARM and events (`shared/parsing/endpoint.py`, `shared/parsing/events.py`). The
patterns are fragments for larger expressions, to be compiled with `re.IGNORECASE | re.ASCII`:
without re.ASCII, IGNORECASE lets `[a-z]` match U+212A KELVIN SIGN and friends. Pure.
"""

from __future__ import annotations

import re

__all__ = ["GUID", "RESOURCE_GROUP", "is_guid", "is_resource_group"]

#: A subscription id (or any GUID) as ARM spells it: 8-4-4-4-12 hexadecimal digits. Not the other
#: spellings `uuid.UUID` accepts (braces, `urn:uuid:`, no hyphens), which never match an id ARM sends.
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

#: A resource group name: 1-90 of letters, digits and `_ ( ) - .`, not ending in `.` (ASCII only:
#: ARM also takes Unicode letters, which pedns refuses).
RESOURCE_GROUP = r"[a-z0-9_()\-.]{0,89}[a-z0-9_()\-]"

_GUID_RE = re.compile(rf"{GUID}\Z", re.IGNORECASE | re.ASCII)
_RESOURCE_GROUP_RE = re.compile(rf"{RESOURCE_GROUP}\Z", re.IGNORECASE | re.ASCII)


def is_guid(value: str) -> bool:
    """Whether `value` is a GUID spelt as ARM spells subscription and tenant ids (either case)."""
    return _GUID_RE.match(value) is not None


def is_resource_group(value: str) -> bool:
    """Whether `value` is a resource group name ARM accepts (ASCII only)."""
    return _RESOURCE_GROUP_RE.match(value) is not None
