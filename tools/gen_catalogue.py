"""Regenerate pedns's zone catalogue from the checked-in excerpt of Microsoft's docs.

    python tools/gen_catalogue.py            # rewrite shared/data/*.json and docs/zones.md
    python tools/gen_catalogue.py --check    # exit 1 if any of them is stale

Inputs (excerpts, with their docs commit noted at the top):
  tools/catalogue/private-endpoint-dns.md   "Azure Private Endpoint private DNS zone values" (verbatim)
  tools/catalogue/geo-code-list.md          Azure Backup's region-code (geo-code) table (verbatim)
  tools/catalogue/regions-list.md           the region names of each cloud (two columns of Microsoft's lists)
  tools/catalogue/supplements.json          pedns's own rules for name shapes the table leaves out, with sources

Keeping up with Microsoft's table (it changes every few months; a row missing here makes pedns
report `unmapped`):
  1. find the newest version of articles/private-link/private-endpoint-dns.md in MicrosoftDocs/azure-docs:
     its history, https://github.com/MicrosoftDocs/azure-docs/commits/main/articles/private-link/private-endpoint-dns.md
     (or `git log -1 --format='%H %cs' -- articles/private-link/private-endpoint-dns.md` in a clone); the
     page's `ms.date` (front matter) must be later than the excerpt's;
  2. replace the excerpt below its header comment with that version's "## Commercial" to the last
     footnote of "## China", verbatim, and set source-repo, source-commit and ms.date in the header;
  3. run this script, review the diff of shared/data/ and docs/zones.md (new rows, changed rules), and run
     the catalogue tests (tests/unit/test_catalogue*.py, tests/catalogue/).

Each table row becomes one catalogue row per (resource type, subresource). Besides the table's own
columns a row carries `rules`: (FQDN suffix template → zone template) pairs that the runtime matches
against an endpoint's FQDNs. They are derived here, so a reviewer sees every mapping in the diff:

* every zone maps its own name (FQDNs already under `privatelink.`) and its public form (the zone
  without its `privatelink` label: `privatelink.blob.core.windows.net` ← `blob.core.windows.net`);
* a zone whose footnote says not to deploy it as an additional zone (ACR `{regionName}.data`, App
  Service `scm`) sends its records into the row's first zone instead;
* a forwarder not covered yet maps to the zone whose public form it ends with; else, when the row
  has one zone, to that zone; else, when the row lists as many zones as forwarders, to the zone in
  the same position; else it stays unmapped (FQDNs under it are reported, never guessed).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tools" / "catalogue" / "private-endpoint-dns.md"
GEO_SOURCE = ROOT / "tools" / "catalogue" / "geo-code-list.md"
REGIONS_SOURCE = ROOT / "tools" / "catalogue" / "regions-list.md"
SUPPLEMENTS_SOURCE = ROOT / "tools" / "catalogue" / "supplements.json"
OUT_CATALOGUE = ROOT / "shared" / "data" / "catalogue.json"
OUT_REGIONS = ROOT / "shared" / "data" / "region_codes.json"
OUT_REGION_NAMES = ROOT / "shared" / "data" / "regions.json"
OUT_DOCS = ROOT / "docs" / "zones.md"

CLOUD_HEADINGS = {"commercial": "AzureCloud", "government": "AzureUSGovernment", "china": "AzureChinaCloud"}

#: Template variables that name a zone; any other variable (`{cachename}`, `{workspaceName}`,
#: `{instanceName}`) is part of the record name and is dropped from a forwarder's suffix.
ZONE_VARS = ("regionName", "region", "regionCode", "dnsPrefix", "partitionId", "subzone")

_BREAK = re.compile(r"<\s*/?\s*br\s*/?\s*>", re.IGNORECASE)
_SUP = re.compile(r"<sup>\s*(\d+)\s*</sup>", re.IGNORECASE)
_TYPE = re.compile(r"Microsoft\.[A-Za-z0-9]+(?:/[A-Za-z0-9]+)*")
_VAR = re.compile(r"\{(\w+)\}")
_META = re.compile(r"^(source-repo|source-path|source-commit|ms\.date):\s*(\S.*?)\s*$", re.MULTILINE)
_GEO = re.compile(r'<GeoCodeRegionNameMap\s+GeoCode="([^"]+)"\s+RegionName="([^"]+)"\s*/>')
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


@dataclass
class SourceRow:
    cloud: str
    service: str
    resource_types: list[str]
    subresources: list[str]
    zones: list[str]
    zone_marks: dict[str, str]  # zone -> footnote number
    forwarders: list[str]


@dataclass
class CloudSection:
    rows: list[SourceRow] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)


def _meta(text: str) -> dict[str, str]:
    return {key: value for key, value in _META.findall(text)}


def _items(cell: str) -> list[tuple[str, str]]:
    """Split a cell on its line breaks: (value, footnote mark or "")."""
    out = []
    for part in _BREAK.split(cell):
        mark = _SUP.search(part)
        value = _SUP.sub("", part).strip().strip("`").strip()
        if value:
            out.append((value, mark.group(1) if mark else ""))
    return out


def parse_source(text: str) -> dict[str, CloudSection]:
    sections: dict[str, CloudSection] = {}
    current: CloudSection | None = None
    cloud = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("## "):
            cloud = CLOUD_HEADINGS.get(line[3:].strip().lower(), "")
            current = sections.setdefault(cloud, CloudSection()) if cloud else None
            continue
        if current is None:
            continue
        footnote = re.match(r"^<sup>(\d+)</sup>\s*(.+)$", line)
        if footnote:
            current.footnotes[footnote.group(1)] = _LINK.sub(r"\1", footnote.group(2)).strip()
            continue
        body = line[1:].strip() if line.startswith(">") else line
        if not body.startswith("|"):
            continue
        cells = [cell.strip() for cell in body.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0].startswith("---") or cells[0].lower().startswith("private link resource"):
            continue
        resource, subresource, zones, forwarders = cells[:4]
        head, _, inner = resource.rpartition("(")
        service = html.unescape(head.strip().rstrip("/").strip()) if head else resource
        types = _TYPE.findall(inner if head else resource)
        if not types:
            raise ValueError(f"{cloud}: no resource type in row {resource!r}")
        subs = [value for value, _ in _items(subresource)]
        subs = ["" if value.upper() == "N/A" else value for value in subs] or [""]
        zone_items = _items(zones)
        current.rows.append(SourceRow(
            cloud=cloud,
            service=service,
            resource_types=types,
            subresources=subs,
            zones=[value for value, _ in zone_items],
            zone_marks={value: mark for value, mark in zone_items if mark},
            forwarders=[value for value, _ in _items(forwarders)],
        ))
    missing = set(CLOUD_HEADINGS.values()) - set(sections)
    if missing:
        raise ValueError(f"no section for {sorted(missing)} in {SOURCE.name}")
    return sections


def public_form(zone: str) -> str:
    """The public name a zone shadows: the zone without its `privatelink` label."""
    return ".".join(label for label in zone.split(".") if not label.lower().startswith("privatelink"))


def _strip_name_vars(suffix: str) -> str:
    """Drop leading labels that carry a record-name variable (`{cachename}.{region}.…` → `{region}.…`)."""
    labels = suffix.split(".")
    while labels and any(var not in ZONE_VARS for var in _VAR.findall(labels[0])):
        labels.pop(0)
    return ".".join(labels)


def derive_rules(row: SourceRow, footnotes: dict[str, str]) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """(rules, unmapped forwarders, notes) for one source row."""
    notes: list[str] = []
    target: dict[str, str] = {}
    for zone in row.zones:
        mark = row.zone_marks.get(zone, "")
        text = footnotes.get(mark, "")
        if text and "additional zone" in text.lower() and zone != row.zones[0]:
            target[zone] = row.zones[0]
            notes.append(f"{zone}: not a zone of its own; records go into {row.zones[0]} (footnote {mark})")
        elif text:
            notes.append(f"{zone}: {text}")
        target.setdefault(zone, zone)

    rules: list[dict[str, str]] = []
    seen: set[str] = set()

    def add(suffix: str, zone: str) -> None:
        if suffix.lower() not in seen:
            seen.add(suffix.lower())
            rules.append({"suffix": suffix, "zone": zone})

    for zone in row.zones:
        add(zone, target[zone])
    for zone in row.zones:
        add(public_form(zone), target[zone])

    unmapped: list[str] = []
    zones_lower = {zone.lower() for zone in row.zones}
    for index, forwarder in enumerate(row.forwarders):
        suffix = _strip_name_vars(forwarder)
        if suffix.lower() in zones_lower or suffix.lower() in seen:
            continue
        under = [z for z in row.zones if suffix.lower().endswith("." + public_form(z).lower())]
        if under:
            add(suffix, target[max(under, key=lambda z: public_form(z).count("."))])
        elif len(row.zones) == 1:
            add(suffix, target[row.zones[0]])
        elif len(row.zones) == len(row.forwarders):
            add(suffix, target[row.zones[index]])
            notes.append(f"{forwarder}: paired with {row.zones[index]} by its position in the table")
        else:
            unmapped.append(forwarder)
    if unmapped:
        notes.append(f"no zone in the table for {', '.join(unmapped)}: FQDNs under it are unmapped")
    return rules, unmapped, notes


def build_catalogue(text: str) -> dict:
    meta = _meta(text)
    sections = parse_source(text)
    clouds: dict[str, list[dict]] = {}
    for cloud in CLOUD_HEADINGS.values():
        section = sections[cloud]
        out: list[dict] = []
        seen: set[tuple] = set()
        for row in section.rows:
            rules, unmapped, notes = derive_rules(row, section.footnotes)
            for resource_type in row.resource_types:
                type_notes = list(notes)
                if "/" not in resource_type:
                    type_notes.append("the table names only the namespace: any resource type in it matches")
                for subresource in row.subresources:
                    key = (resource_type.lower(), subresource.lower(), tuple(row.zones), tuple(row.forwarders))
                    if key in seen:  # the table lists some services in two categories
                        continue
                    seen.add(key)
                    out.append({
                        "service": row.service,
                        "resourceType": resource_type,
                        "subresource": subresource,
                        "zones": row.zones,
                        "forwarders": row.forwarders,
                        "notes": "; ".join(type_notes),
                        "rules": rules,
                        "unmappedForwarders": unmapped,
                    })
        clouds[cloud] = out
    return {
        "source": {
            "document": "articles/private-link/private-endpoint-dns.md",
            "repo": meta.get("source-repo", ""),
            "commit": meta.get("source-commit", ""),
            "msDate": meta.get("ms.date", ""),
        },
        "clouds": clouds,
    }


def add_supplements(catalogue: dict, supplements: dict) -> dict:
    """Append pedns's own rules (tools/catalogue/supplements.json) to the rows they name; each row must exist."""
    for item in supplements["rules"]:
        key = (item["resourceType"].lower(), item["subresource"].lower())
        rows = [row for row in catalogue["clouds"][item["cloud"]]
                if (row["resourceType"].lower(), row["subresource"].lower()) == key]
        if not rows:
            raise ValueError(f"supplement for {item['resourceType']} / {item['subresource']}: no such row in "
                             f"{item['cloud']}")
        for row in rows:
            if item["suffix"].lower() in {rule["suffix"].lower() for rule in row["rules"]}:
                raise ValueError(f"supplement {item['suffix']} of {item['resourceType']}: the row has it already")
            row["rules"] = [*row["rules"], {"suffix": item["suffix"], "zone": item["zone"], "supplement": True}]
            note = f"{item['suffix']}: not in the table; records go into {item['zone']} (a pedns supplement; sources in docs/zones.md)"
            row["notes"] = f"{row['notes']}; {note}" if row["notes"] else note
    return catalogue


def build_regions(text: str) -> dict:
    meta = _meta(text)
    regions = []
    for code, display in _GEO.findall(text):
        regions.append({"name": display.lower().replace(" ", ""), "displayName": display, "code": code})
    return {
        "source": {
            "document": "articles/backup/scripts/geo-code-list.md",
            "repo": meta.get("source-repo", ""),
            "commit": meta.get("source-commit", ""),
            "msDate": meta.get("ms.date", ""),
        },
        "regions": regions,
    }


#: Which cloud a geo-code table region belongs to, by the start of its name; None: a cloud pedns does
#: not serve (the air-gapped USSec/USNat clouds, and Microsoft Cloud Deutschland, closed in 2021).
GEO_CLOUDS: tuple[tuple[str, str | None], ...] = (
    ("usgov", "AzureUSGovernment"), ("usdod", "AzureUSGovernment"), ("china", "AzureChinaCloud"),
    ("ussec", None), ("usnat", None), ("germanycentral", None), ("germanynortheast", None),
)


def _geo_cloud(name: str) -> str | None:
    for prefix, cloud in GEO_CLOUDS:
        if name.startswith(prefix):
            return cloud
    return "AzureCloud"


def build_region_names(text: str, regions: dict) -> dict:
    """The region names of each cloud: the lists' rows, then the geo-code table's regions they lack."""
    clouds: dict[str, list[dict[str, str]]] = {cloud: [] for cloud in CLOUD_HEADINGS.values()}
    cloud = ""
    for raw in text.split("-->", 1)[-1].splitlines():
        line = raw.strip()
        if line.startswith("## "):
            cloud = line[3:].strip()
            if cloud not in clouds:
                raise ValueError(f"unknown cloud section {cloud!r} in {REGIONS_SOURCE.name}")
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")] if line.startswith("|") else []
        if len(cells) != 2 or cells[0] in ("Region", "") or cells[0].startswith("---"):
            continue
        clouds[cloud].append({"name": cells[1], "displayName": cells[0], "from": "regions-list"})
    for region in regions["regions"]:
        home = _geo_cloud(region["name"])
        if home and region["name"] not in {item["name"] for item in clouds[home]}:
            clouds[home].append({"name": region["name"], "displayName": region["displayName"], "from": "geo-code-list"})
    for cloud, items in clouds.items():
        if not items:
            raise ValueError(f"no region names for {cloud}")
        bad = [item["name"] for item in items if not re.fullmatch(r"[a-z][a-z0-9]*", item["name"])]
        if bad:
            raise ValueError(f"{cloud}: not region names: {bad}")
    meta = _meta(text)
    return {
        "source": {
            "document": meta.get("source-path", ""),
            "repo": meta.get("source-repo", ""),
            "commit": meta.get("source-commit", ""),
            "msDate": meta.get("ms.date", ""),
        },
        "clouds": clouds,
    }


def _dump(data: dict, list_key: str) -> str:
    """JSON with one list item per line, so a docs update reads as a row-by-row diff."""
    lines = ["{", f'  "source": {json.dumps(data["source"])},']
    if list_key == "clouds":
        lines.append('  "clouds": {')
        names = list(data["clouds"])
        for n, cloud in enumerate(names):
            rows = data["clouds"][cloud]
            if not rows:
                lines.append(f"    {json.dumps(cloud)}: []" + ("," if n < len(names) - 1 else ""))
                continue
            lines.append(f"    {json.dumps(cloud)}: [")
            lines += [f"      {json.dumps(row)}{',' if i < len(rows) - 1 else ''}" for i, row in enumerate(rows)]
            lines.append("    ]" + ("," if n < len(names) - 1 else ""))
        lines.append("  }")
    else:
        items = data[list_key]
        lines.append(f'  "{list_key}": [')
        lines += [f"    {json.dumps(item)}{',' if i < len(items) - 1 else ''}" for i, item in enumerate(items)]
        lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _cell(values: list[str]) -> str:
    return "<br>".join(f"`{value}`" for value in values) if values else ""


def render_docs(catalogue: dict, regions: dict, names: dict, supplements: dict | None = None) -> str:
    src = catalogue["source"]
    geo = regions["source"]
    lists = names["source"]
    out = [
        "# Private DNS zones pedns knows",
        "",
        "<!-- Generated by tools/gen_catalogue.py from tools/catalogue/*.md. Do not edit by hand. -->",
        "",
        "This is Microsoft's table [Azure Private Endpoint private DNS zone values]"
        "(https://learn.microsoft.com/azure/private-link/private-endpoint-dns) as pedns uses it, generated from "
        f"`{src['document']}` of {src['repo']}, commit `{src['commit']}` (ms.date {src['msDate']}).",
        "",
        "How an FQDN from an endpoint's `customDnsConfigs` becomes a record:",
        "",
        "- The connection's target resource type (compared case-insensitively) and subresource (groupId) select the "
        "rows; the FQDN's suffix then selects the zone. When several rules match, the longest suffix wins "
        "(so `app.3.azurestaticapps.net` goes to `privatelink.3.azurestaticapps.net`, and Redis Enterprise and "
        "Azure Managed Redis are told apart by their FQDNs).",
        "- The record name is the FQDN minus the zone's public form: `acct.blob.core.windows.net` → `acct` in "
        "`privatelink.blob.core.windows.net`; `reg.westus.data.azurecr.io` → `reg.westus.data` in "
        "`privatelink.azurecr.io`; `app.scm.azurewebsites.net` → `app.scm` in `privatelink.azurewebsites.net`. "
        "A forwarder outside the zone's public name (Key Vault's `vault.azure.net`) is simply cut off.",
        "- Template values come from the FQDN (`{regionName}`, `{regionCode}`, `{dnsPrefix}`, `{partitionId}`, "
        "`{subzone}`); a zone variable the FQDN does not carry comes from the endpoint's location (region codes "
        "from the table below). A `{regionName}` or `{region}` label must be a region of the endpoint's cloud "
        "(the region names below) or the endpoint's own location: `reg.usgovvirginia.data.azurecr.us` is not "
        "region `data`, and a Data Explorer test cluster's `adx.eastus.dev.kusto.windows.net` is not region "
        "`dev` of `{regionName}.kusto.windows.net` (it is `unmapped`, and its detail says `dev` is no region).",
        "- An FQDN no row maps is skipped and reported as `unmapped`: pedns never derives a zone by itself. "
        "Custom rules (`PEDNS_CUSTOM_ZONES`) are consulted before Microsoft's rows.",
        "",
    ]
    if supplements and supplements["rules"]:
        out += ["## Beyond Microsoft's table", "",
                "Rules pedns adds to a row for a name shape Microsoft's table does not list "
                "(`tools/catalogue/supplements.json`), each confirmed by the sources given. `{dnsZone}` is the "
                "`z00`-`z99` label of storage's Azure DNS zone endpoints (Learn also shows `z5`, so one digit is "
                "taken too); it is dropped from the record name. Other services of such storage accounts "
                "(`<account>.z<nn>.dfs|file|queue|table|web.storage.azure.net`) and Elastic SAN names are left as "
                "the table has them: no source was found for their zone and record name, so those names are "
                "`unmapped` (or, for Elastic SAN, keep the `z<nn>` label in the record name). Also `unmapped` on "
                "purpose: a Data Explorer test cluster's `clikusto000002.eastus.dev.kusto.windows.net`, whose private "
                "link resource asks for `privatelink.eastus.dev.kusto.windows.net`, a zone the table does not list "
                "(Azure/azure-cli `src/azure-cli/azure/cli/command_modules/network/tests/latest/recordings/"
                "test_private_link_resource_kusto_cluster.yaml` @ d58e5e6eb332c71b09b24cc7b81b8614ad70c1dd); the "
                "production name of the same test, `clikusto000002.eastus.kusto.windows.net`, goes into "
                "`privatelink.eastus.kusto.windows.net` as the table says.", "",
                "| Cloud | Resource type | Subresource | FQDN suffix | Private DNS zone | Example | Sources |",
                "|---|---|---|---|---|---|---|"]
        for item in supplements["rules"]:
            sources = "<br>".join(source.replace("|", "\\|") for source in item["sources"])
            out.append(f"| {item['cloud']} | `{item['resourceType']}` | `{item['subresource']}` | `{item['suffix']}` | "
                       f"`{item['zone']}` | {item['example']} | {sources} |")
        out.append("")
    titles = {"AzureCloud": "Commercial (AzureCloud)", "AzureUSGovernment": "Government (AzureUSGovernment)",
              "AzureChinaCloud": "China, 21Vianet (AzureChinaCloud)"}
    for cloud, rows in catalogue["clouds"].items():
        out += [f"## {titles[cloud]}", "", f"{len(rows)} rows.", "",
                "| Service | Resource type | Subresource | Private DNS zones | Public DNS forwarders | Notes |",
                "|---|---|---|---|---|---|"]
        for row in rows:
            notes = row["notes"].replace("|", "\\|")
            out.append(f"| {row['service']} | `{row['resourceType']}` | `{row['subresource']}` | "
                       f"{_cell(row['zones'])} | {_cell(row['forwarders'])} | {notes} |")
        out.append("")
    out += ["## Region codes (`{regionCode}`)", "",
            f"From `{geo['document']}` of {geo['repo']}, commit `{geo['commit']}` (ms.date {geo['msDate']}).", "",
            "| Region | Name | Code |", "|---|---|---|"]
    out += [f"| {r['displayName']} | `{r['name']}` | `{r['code']}` |" for r in regions["regions"]]
    out += ["", "## Region names (`{regionName}`, `{region}`)", "",
            "A label standing for `{regionName}` or `{region}` must be one of these (for the endpoint's cloud) or "
            "the endpoint's own location. From `tools/catalogue/regions-list.md`: the commercial cloud's names from "
            f"Microsoft's [Azure regions list](https://learn.microsoft.com/azure/reliability/regions-list) "
            f"(`{lists['document']}` of {lists['repo']}, commit `{lists['commit']}`, ms.date {lists['msDate']}), "
            "the China cloud's from its [regions list](https://docs.azure.cn/en-us/reliability/regions-list), and "
            "the regions of the geo-code table above that those lists leave out (marked *geo-code*: the Government "
            "regions, and EUAP, Jio India and Sweden South in the commercial cloud). The geo-code table's USSec, "
            "USNat and Microsoft Cloud Deutschland regions belong to no cloud pedns serves.", ""]
    for cloud, items in names["clouds"].items():
        listed = ", ".join(f"`{item['name']}`" + (" *geo-code*" if item["from"] == "geo-code-list" else "")
                           for item in items)
        out += [f"- **{cloud}** ({len(items)}): {listed}"]
    return "\n".join(out) + "\n"


def render() -> dict[Path, str]:
    supplements = json.loads(SUPPLEMENTS_SOURCE.read_text(encoding="utf-8"))
    catalogue = add_supplements(build_catalogue(SOURCE.read_text(encoding="utf-8")), supplements)
    regions = build_regions(GEO_SOURCE.read_text(encoding="utf-8"))
    names = build_region_names(REGIONS_SOURCE.read_text(encoding="utf-8"), regions)
    return {
        OUT_CATALOGUE: _dump(catalogue, "clouds"),
        OUT_REGIONS: _dump(regions, "regions"),
        OUT_REGION_NAMES: _dump(names, "clouds"),
        OUT_DOCS: render_docs(catalogue, regions, names, supplements),
    }


def stale() -> list[Path]:
    return [path for path, text in render().items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale outputs instead of writing them")
    args = parser.parse_args(argv)
    if args.check:
        paths = stale()
        for path in paths:
            print(f"stale: {path.relative_to(ROOT)} (run python tools/gen_catalogue.py)", file=sys.stderr)
        return 1 if paths else 0
    for path, text in render().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
