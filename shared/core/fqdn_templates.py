"""The catalogue's FQDN templates: whether a name lies under a rule's suffix template, the values of
its variables, and the zone and record name the rule gives it.

A rule maps an FQDN suffix template to a zone template. The rules come from Microsoft's table
(`tools/catalogue/private-endpoint-dns.md`, turned into rules by `tools/gen_catalogue.py`) and pedns's
own (`tools/catalogue/supplements.json`, each with its sources); see `docs/zones.md`. Every rule whose
suffix matches is a candidate; the longest suffix wins, ties go to table order.

- A `{regionName}` or `{region}` label must be a region of the row's cloud (`shared/data/regions.json`)
  or the endpoint's location, so the Government ACR's `reg.usgovvirginia.data.azurecr.us` is not read
  as region `data`, nor a Data Explorer test cluster's `adx.eastus.dev.kusto.windows.net` as region `dev`.
- Template values come from the FQDN; a zone variable the FQDN does not carry comes from the
  endpoint's location (`{regionCode}` through Microsoft's geo-code table). `{dnsZone}` (a rule pedns
  adds for storage's Azure DNS zone endpoints, `acct.z25.blob.storage.azure.net`) is `z00`-`z99`
  and is left out of the record name.
- The record name is the FQDN minus the zone (FQDN already under `privatelink.`), else minus the
  zone's public form (`acct.westus.data.azurecr.io` → `acct.westus.data`), else minus the suffix
  (Key Vault's `vault.azure.net`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .catalogue_row import CatalogueRow
from .model import RecordKey
from .regions import region_code, region_names

_REGION_VARS = frozenset({"regionName", "region"})
_DNS_ZONE = re.compile(r"^z[0-9]{1,2}$")  # {dnsZone}: storage's Azure DNS zone label, z00-z99 (docs/zones.md)
_LABEL = re.compile(r"^[a-z0-9_*]([a-z0-9_-]*[a-z0-9_])?$")
_VAR_VALUE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def _public_form(zone: str) -> str:
    return ".".join(label for label in zone.split(".") if not label.startswith("privatelink"))


@dataclass(frozen=True, slots=True)
class _Rule:
    labels: tuple[str, ...]  # suffix template, split into labels (a label is literal or "{var}")
    zone: str  # zone template
    row: CatalogueRow
    strip_suffix_only: bool = False  # custom rules: the name is the FQDN minus the suffix


def _split_template(template: str) -> tuple[str, ...]:
    return tuple(label if label.startswith("{") else label.lower() for label in template.split("."))


def _fill(template: str, values: Mapping[str, str]) -> str | None:
    out = []
    for label in template.split("."):
        if label.startswith("{"):
            value = values.get(label[1:-1])
            if value is None:
                return None
            out.append(value)
        else:
            out.append(label.lower())
    return ".".join(out)


@dataclass(frozen=True, slots=True)
class _Match:
    key: RecordKey
    row: CatalogueRow
    rank: int  # suffix length in labels


def _refused(var: str, label: str, cloud: str, location: str) -> str | None:
    """Why `label` cannot stand for the template variable `var`, or None when it can."""
    if var in _REGION_VARS:
        if label in region_names(cloud) or label == location:
            return None
        return f"{label!r} is no region of {cloud} pedns knows"
    if var == "dnsZone":
        return None if _DNS_ZONE.match(label) else f"{label!r} is no Azure DNS zone label, z00 to z99"
    return None if _VAR_VALUE.match(label) else f"{label!r} is no value for {{{var}}}"


def _try(rule: _Rule, labels: list[str], fqdn: str, location: str) -> _Match | str | None:
    """The rule's match for the name; or, when the name is under the rule's literal labels but a label
    cannot stand for a variable (or a zone variable has no value), why not; None when it is not under."""
    n = len(rule.labels)
    if len(labels) <= n:  # the record needs a name of at least one label
        return None
    tail = labels[-n:]
    if any(not pattern.startswith("{") and pattern != label for pattern, label in zip(rule.labels, tail)):
        return None
    suffix = ".".join(rule.labels)
    values: dict[str, str] = {}
    for pattern, label in zip(rule.labels, tail):
        if pattern.startswith("{"):
            var = pattern[1:-1]
            problem = _refused(var, label, rule.row.cloud, location)
            if problem:
                return f"{suffix}: {problem}"
            if values.setdefault(var, label) != label:
                return None
    for var in re.findall(r"\{(\w+)\}", rule.zone):  # zone variables the FQDN does not carry
        if var in values:
            continue
        if var in _REGION_VARS and location:
            values[var] = location
        elif var == "regionCode" and region_code(location):
            values[var] = region_code(location) or ""
        else:
            return (f"{suffix}: its zone {rule.zone} needs {{{var}}}, which neither the name nor the endpoint's "
                    f"location ({location or 'none'}) gives")
    zone = _fill(rule.zone, values)
    if zone is None:
        return None
    if fqdn.endswith("." + zone):
        name = fqdn[: -len(zone) - 1]
    elif not rule.strip_suffix_only and fqdn.endswith("." + _public_form(zone)) and _public_form(zone) != zone:
        name = fqdn[: -len(_public_form(zone)) - 1]
    else:
        name = fqdn[: -len(".".join(tail)) - 1]
    return _Match(RecordKey(zone=zone, name=name), rule.row, n)


def _labels(fqdn: str) -> tuple[str, list[str] | None]:
    """The FQDN in lower case without its trailing dot, and its labels (None: not a name to match)."""
    name = (fqdn or "").strip().lower().rstrip(".")
    labels = name.split(".")
    if not name or not all(_LABEL.match(label) for label in labels):
        return name, None
    return name, labels


def _under(labels: Sequence[str], suffix: Sequence[str]) -> bool:
    """Whether a name (its labels) lies under a suffix template (a variable label matches any label)."""
    n = len(suffix)
    return len(labels) > n and all(
        pattern.startswith("{") or pattern == label for pattern, label in zip(suffix, labels[-n:])
    )


def _best(rules: Sequence[_Rule], labels: list[str], fqdn: str, location: str) -> _Match | None:
    best: _Match | None = None
    for rule in rules:
        match = _try(rule, labels, fqdn, location)
        if isinstance(match, _Match) and (best is None or match.rank > best.rank):
            best = match
    return best
