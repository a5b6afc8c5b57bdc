"""Microsoft's private DNS zone table as data, and FQDN → (zone, record name) resolution.

Pure: no Azure SDK, no I/O but reading the package's own data files once. The data is generated
by `tools/gen_catalogue.py` from checked-in excerpts of the docs (and pedns's own rules, each with its
sources, in `tools/catalogue/supplements.json`); see `docs/zones.md`.

Resolution, for one `customDnsConfigs` FQDN of a connection to `target_id` with `group_id`:

1. Custom rules (`PEDNS_CUSTOM_ZONES`) first, then Microsoft's rows whose resource type (compared
   case-insensitively; a namespace-only type matches the whole namespace) and subresource match.
2. Each row's rules map an FQDN suffix template to a zone template; the longest matching suffix wins
   and gives the zone and the record name (`shared/core/fqdn_templates.py`, with the regions a
   `{regionName}` label may be in `shared/core/regions.py`).

No candidate: None, and the caller reports `unmapped` with `why_unmapped`'s sentence (no row for the
target's type and subresource, or a row whose public zones the name is under none of). Nothing here
derives a zone by itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError
from .catalogue_row import CatalogueRow
from .data_files import _read
from .fqdn_templates import _best, _fill, _labels, _Rule, _split_template, _try, _under
from .model import RecordKey, ResourceId
from .regions import _canonical_cloud, _norm_location

__all__ = ["Catalogue", "CustomRule"]

_PLS_TYPE = "microsoft.network/privatelinkservices"
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)+$")
_RESOURCE_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.[A-Za-z0-9.]+(/[A-Za-z0-9]+)+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomRule:
    """A network team's rule: FQDNs ending in `fqdn_suffix` of matching connections go into `zone`.

    A connection matches by `resource_type` (any resource of that type) or by
    `private_link_service_id` (one Private Link Service); `subresource` narrows it when set.
    """

    fqdn_suffix: str
    zone: str
    resource_type: str = ""
    private_link_service_id: str = ""
    subresource: str = ""
    service: str = ""
    bind_name: bool = False  # the record name's first label must be the target resource's name

    def __post_init__(self) -> None:
        for attr in ("fqdn_suffix", "zone"):
            object.__setattr__(self, attr, getattr(self, attr).strip().lower().strip("."))
        problem = rule_problem(self)
        if problem:
            field, message = problem
            raise ConfigError(f"custom zone rule ({self.zone or self.fqdn_suffix or '?'}): field {field!r} {message}")


# -- data ------------------------------------------------------------------------------------------


@functools.cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = _read("catalogue.json")
    return data


@functools.cache
def _bindings() -> dict[str, tuple[str, ...]]:
    """"resource type|subresource" (lower case) → the first-label templates a record name may have."""
    out: dict[str, tuple[str, ...]] = {}
    for row in _read("name_binding.json")["rows"]:
        for sub in row["subresources"]:
            out[f"{row['resourceType'].lower()}|{sub.lower()}"] = tuple(row["firstLabel"])
    return out


def name_matches(templates: Sequence[str], target_name: str, record_name: str) -> bool:
    """Whether `record_name`'s first label is one of `templates` ({name}: the target resource's
    name; {label}: any one DNS label), compared without case."""
    first = record_name.split(".", 1)[0].lower()
    name = re.escape(target_name.lower())
    for template in templates:
        pattern = re.escape(template.lower()).replace(r"\{name\}", name).replace(r"\{label\}", r"[a-z0-9][a-z0-9-]*")
        if re.fullmatch(pattern, first):
            return True
    return False


def _rows_and_rules(cloud: str) -> tuple[tuple[CatalogueRow, ...], dict[str, tuple[_Rule, ...]]]:
    rows: list[CatalogueRow] = []
    index: dict[str, list[_Rule]] = {}
    for item in _data()["clouds"][cloud]:
        row = CatalogueRow(
            cloud=cloud,
            service=item["service"],
            resource_type=item["resourceType"],
            subresource=item["subresource"],
            zones=tuple(item["zones"]),
            forwarders=tuple(item["forwarders"]),
            notes=item["notes"],
            unmapped_forwarders=tuple(item["unmappedForwarders"]),
        )
        rows.append(row)
        bucket = index.setdefault(f"{row.resource_type.lower()}|{row.subresource.lower()}", [])
        for rule in item["rules"]:
            bucket.append(_Rule(_split_template(rule["suffix"]), rule["zone"], row))
    return tuple(rows), {key: tuple(rules) for key, rules in index.items()}


@functools.cache
def _microsoft(cloud: str) -> "Catalogue":
    rows, index = _rows_and_rules(cloud)
    return Catalogue(_cloud=cloud, _rows=rows, _index=index, _custom=())


# -- the catalogue ---------------------------------------------------------------------------------


class Catalogue:
    """The rows for one cloud, plus any custom rules, and FQDN resolution over them."""

    __slots__ = ("_cloud", "_rows", "_index", "_custom")

    def __init__(
        self,
        *,
        _cloud: str,
        _rows: tuple[CatalogueRow, ...],
        _index: Mapping[str, tuple[_Rule, ...]],
        _custom: tuple[tuple[CustomRule, _Rule], ...],
    ) -> None:
        self._cloud = _cloud
        self._rows = _rows
        self._index = _index
        self._custom = _custom

    @classmethod
    def for_cloud(cls, cloud: str = "AzureCloud", custom_rules: Sequence[CustomRule] = ()) -> "Catalogue":
        base = _microsoft(_canonical_cloud(cloud))
        if not custom_rules:
            return base
        custom: list[tuple[CustomRule, _Rule]] = []
        rows: list[CatalogueRow] = []
        for rule in custom_rules:
            row = CatalogueRow(
                cloud=base._cloud,
                service=rule.service or "Custom rule",
                resource_type=rule.resource_type or "Microsoft.Network/privateLinkServices",
                subresource=rule.subresource,
                zones=(rule.zone,),
                forwarders=(rule.fqdn_suffix,),
                notes=f"privateLinkServiceId {rule.private_link_service_id}" if rule.private_link_service_id else "",
                custom=True,
            )
            rows.append(row)
            custom.append((rule, _Rule(_split_template(rule.fqdn_suffix), rule.zone, row, strip_suffix_only=True)))
            # An FQDN already under the zone itself resolves too.
            custom.append((rule, _Rule(_split_template(rule.zone), rule.zone, row, strip_suffix_only=True)))
        return cls(_cloud=base._cloud, _rows=base._rows + tuple(rows), _index=base._index, _custom=tuple(custom))

    @property
    def cloud(self) -> str:
        return self._cloud

    @property
    def rows(self) -> tuple[CatalogueRow, ...]:
        return self._rows

    @property
    def docs_version(self) -> str:
        src = _data()["source"]
        return f"{src['document']} @ {src['repo']} {src['commit'][:12]} (ms.date {src['msDate']})"

    def binding(self, *, target_id: str, group_id: str) -> tuple[str, ...] | None:
        """The first-label templates a record name must have for a connection to `target_id` with
        `group_id` (see `name_matches`), or None when the row's names are not bound to the target
        (global or opaque names). Custom rules bind with `"bindName": true`."""
        target = ResourceId(target_id or "")
        resource_type, group = target.resource_type.lower(), (group_id or "").lower()
        for spec, _ in self._custom:
            if _custom_applies(spec, target, resource_type, group):
                return ("{name}",) if spec.bind_name else None
        return _bindings().get(f"{resource_type}|{group}")

    def resolve(self, *, target_id: str, group_id: str, fqdn: str, location: str) -> RecordKey | None:
        """Zone and relative record name for one customDnsConfigs FQDN of an endpoint whose connection
        targets `target_id` (privateLinkServiceId) with subresource `group_id`, endpoint in `location`.
        None when no row matches: the caller reports reason `unmapped` — never guess a zone."""
        match = self.lookup(target_id=target_id, group_id=group_id, fqdn=fqdn, location=location)
        return match[1] if match else None

    def lookup(
        self, *, target_id: str, group_id: str, fqdn: str, location: str
    ) -> tuple[CatalogueRow, RecordKey] | None:
        """Like `resolve`, and also the row that decided it (for `pedns explain`)."""
        name, labels = _labels(fqdn)
        if labels is None:
            return None
        loc = _norm_location(location or "")
        custom, microsoft = self._rules(target_id, group_id)
        best = _best(custom, labels, name, loc)
        if best is None:
            best = _best(microsoft, labels, name, loc)
        return (best.row, best.key) if best else None

    def alias(self, fqdn: str) -> RecordKey | None:
        """The privatelink zone and record name of a public name whatever resource it belongs to (for
        `pedns resolve`, which knows a name and not its endpoint): the longest matching suffix over
        every rule, custom rules first; None when no rule places it without an endpoint's location."""
        name, labels = _labels(fqdn)
        if labels is None:
            return None
        best = _best([rule for _, rule in self._custom], labels, name, "")
        if best is None:
            best = _best([rule for rules in self._index.values() for rule in rules], labels, name, "")
        return best.key if best else None

    def public_zones(self, zone: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The public zones whose names go into the private zone `zone` (the conditional forwarders
        on-premises DNS needs for it), their variables filled from the zone's own labels
        (`privatelink.westeurope.azmk8s.io` → `westeurope.azmk8s.io`); and the templates no label of
        the zone fills (Batch's `{regionName}.batch.azure.com` for `privatelink.batch.azure.com`)."""
        zone_labels = zone.lower().rstrip(".").split(".")
        filled: list[str] = []
        templates: list[str] = []
        for rule in [r for _, r in self._custom] + [r for rules in self._index.values() for r in rules]:
            values = _capture(rule.zone, zone_labels)
            if values is None or any(label.startswith("privatelink") for label in rule.labels):
                continue
            suffix = ".".join(rule.labels)
            name = _fill(suffix, values)
            (filled if name else templates).append(name or suffix)
        return tuple(dict.fromkeys(filled)), tuple(dict.fromkeys(t for t in templates if t not in filled))

    def why_unmapped(self, *, target_id: str, group_id: str, fqdn: str, location: str) -> str:
        """Why `resolve` places `fqdn` nowhere, as the detail of its `unmapped` skip: no row (and no
        custom rule) for the target's type and subresource, a forwarder the row gives no zone, or the
        public zones of the row that the name is under none of."""
        name, labels = _labels(fqdn)
        target_type = ResourceId(target_id or "").resource_type or "the target"
        subject = f"{target_type} / {group_id or '-'}"
        if labels is None:
            return f"{fqdn!r} is not a DNS name the zone catalogue can read"
        custom, microsoft = self._rules(target_id, group_id)
        rules = custom + microsoft
        if not rules:
            others = self._subresources(target_id)
            also = f" (it has rows for subresources {', '.join(others)})" if others else ""
            return (f"no zone is known for {subject}: Microsoft's table ({self._cloud}) has no row for it{also} "
                    "and no custom zone rule applies")
        rows = list(dict.fromkeys(rule.row for rule in rules))
        for row in rows:
            for forwarder in row.unmapped_forwarders:
                if _under(labels, _split_template(forwarder)):
                    return (f"{name} is under {forwarder}, a public zone the row for {subject} lists without "
                            "a private DNS zone for it")
        publics = list(dict.fromkeys(
            ".".join(rule.labels) for rule in rules if not any(label.startswith("privatelink") for label in rule.labels)
        ))
        loc = _norm_location(location or "")
        misses = list(dict.fromkeys(
            miss for rule in rules if isinstance(miss := _try(rule, labels, name, loc), str)
        ))
        whose = "row's" if len(rows) == 1 else "rows'"
        why = f" ({'; '.join(misses)})" if misses else ""
        return f"{name} is under none of the {whose} public zones for {subject}: {', '.join(publics)}{why}"

    def _rules(self, target_id: str, group_id: str) -> tuple[list[_Rule], list[_Rule]]:
        """(custom rules, Microsoft's rules) that apply to a connection to `target_id` with `group_id`."""
        target = ResourceId(target_id or "")
        resource_type = target.resource_type.lower()
        group = (group_id or "").lower()
        custom = [rule for spec, rule in self._custom if _custom_applies(spec, target, resource_type, group)]
        microsoft: list[_Rule] = []
        if resource_type:
            namespace = resource_type.split("/", 1)[0]
            microsoft = [*self._index.get(f"{resource_type}|{group}", ()), *self._index.get(f"{namespace}|{group}", ())]
        return custom, microsoft

    def _subresources(self, target_id: str) -> list[str]:
        """The subresources Microsoft's rows list for the target's type (or its namespace)."""
        resource_type = ResourceId(target_id or "").resource_type.lower()
        namespace = resource_type.split("/", 1)[0]
        return list(dict.fromkeys(
            row.subresource for row in self._rows
            if not row.custom and row.resource_type.lower() in (resource_type, namespace) and row.subresource
        ))


def _capture(template: str, labels: Sequence[str]) -> dict[str, str] | None:
    """The template's variables as the labels give them; None when the labels are not an instance of it."""
    parts = template.split(".")
    if len(parts) != len(labels):
        return None
    values: dict[str, str] = {}
    for part, label in zip(parts, labels):
        if part.startswith("{"):
            if values.setdefault(part[1:-1], label) != label:
                return None
        elif part.lower() != label:
            return None
    return values


def _custom_applies(rule: CustomRule, target: ResourceId, resource_type: str, group: str) -> bool:
    if rule.subresource and rule.subresource.lower() != group:
        return False
    if rule.private_link_service_id:
        return target == ResourceId(rule.private_link_service_id)
    return rule.resource_type.lower() == resource_type


# -- custom rules ----------------------------------------------------------------------------------

def rule_problem(rule: Any) -> tuple[str, str] | None:
    """(JSON field, what is wrong) for the first problem of a rule, or None."""
    if bool(rule.resource_type) == bool(rule.private_link_service_id):
        return "resourceType", "or 'privateLinkServiceId' is required, and only one of them"
    if rule.resource_type and not _RESOURCE_TYPE.match(rule.resource_type):
        return "resourceType", f"must look like 'Microsoft.Service/type', got {rule.resource_type!r}"
    if rule.private_link_service_id and ResourceId(rule.private_link_service_id).resource_type.lower() != _PLS_TYPE:
        return "privateLinkServiceId", f"must be a Private Link Service resource id, got {rule.private_link_service_id!r}"
    for field, value in (("fqdnSuffix", rule.fqdn_suffix), ("zone", rule.zone)):
        if value != value.strip().lower().strip(".") or not _DNS_NAME.match(value):
            return field, f"must be a lower-case DNS name with at least two labels, got {value!r}"
    return None
