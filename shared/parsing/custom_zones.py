"""PEDNS_CUSTOM_ZONES: the operator's own catalogue rules, as inline JSON or a JSON file, read into
`CustomRule`s (`shared/core/catalogue.py`) with one clear line naming the bad rule and field."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

from ..core.catalogue import CustomRule, rule_problem
from ..errors import ConfigError, InvalidInput
from .inputs import load_json, read_bounded

#: The rule's JSON fields, and the `CustomRule` attribute each fills.
_FIELDS = {
    "resourceType": "resource_type",
    "privateLinkServiceId": "private_link_service_id",
    "subresource": "subresource",
    "fqdnSuffix": "fqdn_suffix",
    "zone": "zone",
    "service": "service",
    "bindName": "bind_name",
}


#: The most PEDNS_CUSTOM_ZONES may hold (inline or in its file): thousands of rules.
MAX_CUSTOM_RULES_BYTES = 1024 * 1024


def load_custom_rules(value: str) -> tuple[CustomRule, ...]:
    """PEDNS_CUSTOM_ZONES: inline JSON (a list of rules) or a path to a JSON file. Raises ConfigError
    with one clear line naming the bad rule and field."""
    text = (value or "").strip()
    if not text:
        return ()
    where = "PEDNS_CUSTOM_ZONES"
    try:  # bounded like every other input: size, nesting depth, no NaN or Infinity
        if not text.startswith(("[", "{")):
            where = f"PEDNS_CUSTOM_ZONES file {text!r}"
            if not os.path.isfile(text):
                raise ConfigError(f"{where}: no such file")
            data = load_json(read_bounded(text, what=where, max_bytes=MAX_CUSTOM_RULES_BYTES), what=where,
                             max_bytes=MAX_CUSTOM_RULES_BYTES)
        else:
            data = load_json(text, what=where, max_bytes=MAX_CUSTOM_RULES_BYTES)
    except InvalidInput as exc:
        raise ConfigError(str(exc)) from None
    if not isinstance(data, list):
        raise ConfigError(f"{where}: must be a JSON list of rules, got {type(data).__name__}")
    rules: list[CustomRule] = []
    for n, item in enumerate(data, start=1):
        label = f"{where} rule {n}"
        if not isinstance(item, dict):
            raise ConfigError(f"{label}: must be a JSON object, got {type(item).__name__}")
        unknown = sorted(set(item) - set(_FIELDS))
        if unknown:
            raise ConfigError(f"{label}: unknown field {unknown[0]!r} (allowed: {', '.join(_FIELDS)})")
        for field, raw in item.items():
            wanted = bool if field == "bindName" else str
            if not isinstance(raw, wanted):
                raise ConfigError(f"{label}: field {field!r} must be a {'boolean' if wanted is bool else 'string'}, "
                                  f"got {type(raw).__name__}")
        for field in ("fqdnSuffix", "zone"):
            if not item.get(field):
                raise ConfigError(f"{label}: field {field!r} is required")
        kwargs: dict[str, Any] = {_FIELDS[field]: raw.strip() if isinstance(raw, str) else raw
                                  for field, raw in item.items()}
        for field in ("fqdn_suffix", "zone"):
            kwargs[field] = kwargs[field].lower().strip(".")
        problem = rule_problem(SimpleNamespace(**{**dict.fromkeys(_FIELDS.values(), ""), **kwargs}))
        if problem:
            field, message = problem
            raise ConfigError(f"{label} ({item.get('zone', '?')}): field {field!r} {message}")
        rules.append(CustomRule(**kwargs))
    return tuple(rules)
