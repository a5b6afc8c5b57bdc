"""A spoke can publish only its own names: for services whose names carry the resource's name, a
name that is not the endpoint's target's is `name-mismatch`, never written and never a claim."""

from __future__ import annotations

import json

import pytest

from builders import endpoint, pe_id
from shared.core.catalogue import Catalogue, _bindings, _data
from shared.parsing.custom_zones import load_custom_rules
from shared.core.desired import desire
from shared.core.model import Reason
from shared.service import Service
from shared.testing import InMemoryEndpointReader, InMemoryZoneStore

SUB = "11111111-1111-1111-1111-111111111111"
BLOB = "privatelink.blob.core.windows.net"


def target(rtype: str, name: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/{rtype}/{name}"


def reasons(pe, catalogue=None) -> dict[str, str]:
    wanted = desire(pe, catalogue or Catalogue.for_cloud("AzureCloud"))
    return {**{r.fqdn: "record" for r in wanted.records}, **{s.fqdn: s.reason.value for s in wanted.skipped}}


@pytest.mark.parametrize(("rtype", "group", "name", "fqdn", "expected"), [
    ("Microsoft.Storage/storageAccounts", "blob", "attacker", "victimacct.blob.core.windows.net", "name-mismatch"),
    ("Microsoft.Storage/storageAccounts", "blob", "victimacct", "victimacct.blob.core.windows.net", "record"),
    ("Microsoft.Storage/storageAccounts", "blob_secondary", "acct", "acct-secondary.blob.core.windows.net", "record"),
    ("Microsoft.Storage/storageAccounts", "blob_secondary", "acct", "other-secondary.blob.core.windows.net",
     "name-mismatch"),
    ("Microsoft.KeyVault/vaults", "vault", "kv1", "kv2.vault.azure.net", "name-mismatch"),
    ("Microsoft.Sql/servers", "sqlServer", "orders", "orders.database.windows.net", "record"),
    ("Microsoft.DocumentDB/databaseAccounts", "Sql", "orders", "orders-westeurope.documents.azure.com", "record"),
    ("Microsoft.DocumentDB/databaseAccounts", "Sql", "orders", "payroll-westeurope.documents.azure.com",
     "name-mismatch"),
    ("Microsoft.ContainerRegistry/registries", "registry", "reg", "reg.westeurope.data.azurecr.io", "record"),
    ("Microsoft.ContainerRegistry/registries", "registry", "reg", "other.westeurope.data.azurecr.io", "name-mismatch"),
    ("Microsoft.Web/sites", "sites", "shop", "shop.scm.azurewebsites.net", "record"),
    ("Microsoft.Web/sites", "sites", "shop", "shop-a6gqaeashthkhkeu.westeurope-01.azurewebsites.net", "record"),
    ("Microsoft.Web/sites", "sites", "shop", "bank.azurewebsites.net", "name-mismatch"),
    ("Microsoft.ServiceBus/namespaces", "namespace", "bus", "otherbus.servicebus.windows.net", "name-mismatch"),
    ("Microsoft.Insights/privateLinkScopes", "azuremonitor", "ampls", "api.monitor.azure.com", "record"),  # global
], ids=lambda v: v if isinstance(v, str) and "." in v and "/" not in v else None)
def test_a_name_must_belong_to_the_endpoints_target_where_the_service_says_whose_it_is(rtype, group, name, fqdn,
                                                                                         expected):
    pe = endpoint("pe", {fqdn: ["10.0.1.4"]}, target=target(rtype, name), group=group)

    assert {fqdn: expected} == reasons(pe)


# -- a bound name is the target's whole name: never a prefix, a suffix or a part of a longer name --------


def _bound_cases():
    """(resource type, subresource, public suffix, template) for every template of every bound row."""
    rows = {f"{r.resource_type.lower()}|{r.subresource.lower()}": r for r in Catalogue.for_cloud("AzureCloud").rows}
    for key, templates in sorted(_bindings().items()):
        row = rows[key]
        for template in templates:
            yield pytest.param(row.resource_type, row.subresource, row.forwarders[0], template,
                               id=f"{row.resource_type}|{row.subresource}|{template}")


def _longer_labels(template: str) -> set[str]:
    """First labels that extend the target `contoso`'s name or the whole label at either end."""
    def label(name: str) -> str:
        return template.replace("{name}", name).replace("{label}", "westeurope")

    longer = {label("contosoprod"), label("contoso0"), label("xcontoso"), label("x-contoso"), "x" + label("contoso")}
    if not template.endswith("{label}"):  # `{label}` takes any label, so only a template ending in text
        longer.add(label("contoso") + "prod")
    return longer


@pytest.mark.parametrize(("rtype", "group", "suffix", "template"), list(_bound_cases()))
def test_a_bound_name_is_the_targets_whole_name_never_a_longer_one(rtype, group, suffix, template):
    exact = f"{template.replace('{name}', 'contoso').replace('{label}', 'westeurope')}.{suffix}"
    longer = sorted(f"{label}.{suffix}" for label in _longer_labels(template))
    pe = endpoint("pe", {fqdn: ["10.0.1.4"] for fqdn in [exact, *longer]}, target=target(rtype, "contoso"), group=group)

    assert {exact: "record", **dict.fromkeys(longer, "name-mismatch")} == reasons(pe)


def test_a_custom_rules_bound_name_is_the_targets_whole_name_never_a_longer_one():
    rules = load_custom_rules(json.dumps([{"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "widgets.contoso.net",
                                           "zone": "privatelink.widgets.contoso.net", "bindName": True}]))
    longer = sorted(f"{label}.widgets.contoso.net" for label in _longer_labels("{name}"))
    pe = endpoint("pe", {fqdn: ["10.0.1.4"] for fqdn in ["contoso.widgets.contoso.net", *longer]},
                  target=target("Microsoft.Contoso/widgets", "contoso"), group="api")

    assert {"contoso.widgets.contoso.net": "record", **dict.fromkeys(longer, "name-mismatch")} == reasons(
        pe, Catalogue.for_cloud("AzureCloud", custom_rules=rules))


def test_the_hijack_gets_name_mismatch_and_the_victims_endpoint_gets_the_record():
    store, reader = InMemoryZoneStore([BLOB]), InMemoryEndpointReader()
    service = Service(reader=reader, store=store, resolver=Catalogue.for_cloud("AzureCloud"))
    hijack = endpoint("hijack", {"victimacct.blob.core.windows.net": ["10.66.6.6"]},
                      target=target("Microsoft.Storage/storageAccounts", "attacker"))
    victim = endpoint("victim", {"victimacct.blob.core.windows.net": ["10.0.1.4"]},
                      target=target("Microsoft.Storage/storageAccounts", "victimacct"))
    for pe in (hijack, victim):
        reader.put(pe)

    refused = service.converge(hijack.id)
    published = service.converge(victim.id)

    assert ([Reason.NAME_MISMATCH], []) == ([s.reason for s in refused.skipped], refused.changes)
    assert [("victimacct", ("10.0.1.4",))] == [(r.key.name, r.ips) for r in store.records()]
    assert ["held"] == [r.outcome for r in published.records]
    assert [pe_id("victim")] == _claims(store)  # the hijacking endpoint holds no claim either


def _claims(store: InMemoryZoneStore):
    from shared.core import ownership

    return [claimant for record in store.records() for claimant in ownership.claims(record)]


def test_every_bound_row_is_a_row_of_the_catalogue():
    from shared.core.catalogue import _bindings

    rows = {f"{r['resourceType'].lower()}|{r['subresource'].lower()}" for r in _data()["clouds"]["AzureCloud"]}

    assert set() == set(_bindings()) - rows


def test_a_custom_rule_binds_names_when_it_says_so():
    rules = load_custom_rules(json.dumps([
        {"resourceType": "Microsoft.Contoso/widgets", "fqdnSuffix": "widgets.contoso.net",
         "zone": "privatelink.widgets.contoso.net", "bindName": True},
        {"resourceType": "Microsoft.Contoso/gadgets", "fqdnSuffix": "gadgets.contoso.net",
         "zone": "privatelink.gadgets.contoso.net"}]))
    catalogue = Catalogue.for_cloud("AzureCloud", custom_rules=rules)

    def check(rtype: str, name: str, fqdn: str) -> str:
        pe = endpoint("pe", {fqdn: ["10.0.1.4"]}, target=target(rtype, name), group="api")
        return reasons(pe, catalogue)[fqdn]

    assert ("record", "name-mismatch", "record") == (
        check("Microsoft.Contoso/widgets", "w1", "w1.widgets.contoso.net"),
        check("Microsoft.Contoso/widgets", "w1", "w2.widgets.contoso.net"),
        check("Microsoft.Contoso/gadgets", "g1", "anything.gadgets.contoso.net"))


# -- provenance: names no row binds are checked against the endpoint's network interface ----------

AMPLS = "/subscriptions/%s/resourceGroups/rg-mon/providers/microsoft.insights/privatelinkscopes/ampls" % SUB
MONITOR = {"api.monitor.azure.com": ["10.0.5.4"], "global.in.ai.monitor.azure.com": ["10.0.5.5"]}


def monitor_endpoint(extra: dict[str, list[str]] | None = None):
    from dataclasses import replace

    pe = endpoint("ampls", {**MONITOR, **(extra or {})}, target=AMPLS, group="azuremonitor")
    return replace(pe, network_interface_ids=(f"/subscriptions/{SUB}/resourceGroups/rg-app/providers/"
                                              "Microsoft.Network/networkInterfaces/ampls.nic.1",))


def test_a_name_the_platform_did_not_give_the_interface_is_name_mismatch():
    names = frozenset(MONITOR)
    pe = monitor_endpoint({"profiler.monitor.azure.com": ["10.0.5.6"]})

    wanted = desire(pe, Catalogue.for_cloud("AzureCloud"), platform_names=names)

    assert ({"api.monitor.azure.com", "global.in.ai.monitor.azure.com"},
            {"profiler.monitor.azure.com": "name-mismatch"}) == (
        {r.fqdn for r in wanted.records}, {s.fqdn: s.reason.value for s in wanted.skipped})


def _monitor_service(reader):
    zones = ["privatelink.monitor.azure.com"]
    return Service(reader=reader, store=InMemoryZoneStore(zones), resolver=Catalogue.for_cloud("AzureCloud"))


def test_the_interface_is_read_only_for_endpoints_whose_names_no_row_binds():
    reader = InMemoryEndpointReader()
    pe = monitor_endpoint({"profiler.monitor.azure.com": ["10.0.5.6"]})
    reader.put(pe)
    reader.platform[pe.id] = frozenset(MONITOR)
    asked = []
    original = reader.platform_names
    reader.platform_names = lambda p: asked.append(p.id) or original(p)  # type: ignore[method-assign]

    result = _monitor_service(reader).converge(pe.id)
    storage = endpoint("acct")  # bound by its row: no interface read
    reader.put(storage)
    Service(reader=reader, store=InMemoryZoneStore([BLOB]), resolver=Catalogue.for_cloud("AzureCloud")).converge(
        storage.id)

    assert [pe.id] == asked
    assert {"profiler.monitor.azure.com": "name-mismatch"} == {s.fqdn: s.reason.value for s in result.skipped}


def test_an_interface_that_cannot_be_read_leaves_the_names_as_reported():
    reader = InMemoryEndpointReader()
    pe = monitor_endpoint({"profiler.monitor.azure.com": ["10.0.5.6"]})
    reader.put(pe)  # no platform names known (as after a 403)

    result = _monitor_service(reader).converge(pe.id)

    assert 3 == len([r for r in result.records if r.outcome == "held"])
