"""An estate with the whole resolution path, seeded on the emulator through ARM's API shapes: a hub
network with a DNS Private Resolver (inbound endpoint 10.0.0.4), two spokes that use it (one by its
DNS servers, one by a forwarding ruleset), one spoke with its own DNS, one spoke whose ruleset diverts
`blob.core.windows.net` to on-premises, a hub zone not linked to the hub network, a zone link with
the public fallback, a rule that loops, and the look-alikes the audit must not report."""

from __future__ import annotations

from dataclasses import dataclass

from tools.lab import Lab

BLOB, VAULT, SQL, QUEUE = ("privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net",
                           "privatelink.database.windows.net", "privatelink.queue.core.windows.net")
INBOUND_IP, ON_PREM, SPOKE_OWN_DNS = "10.0.0.4", "192.168.1.10", "10.50.0.10"
RESOLVER_API, NETWORK_API, DNS_API = "2022-07-01", "2024-05-01", "2024-06-01"


@dataclass
class Estate:
    hub_vnet: str
    spoke_a: str  # DNS servers: the hub's inbound endpoint
    spoke_b: str  # Azure DNS, ruleset rs-spokes (windows.net. → the hub)
    spoke_c: str  # Azure DNS, ruleset rs-divert (blob.core.windows.net. → on-premises)
    spoke_own: str  # its own DNS server
    rulesets: dict[str, str]  # name → id
    zones: dict[str, str]  # hub zone → id
    inbound: str
    settings: dict[str, str]


def _put(emu, path: str, body: dict, api: str) -> dict:
    status, answer = emu.apply("PUT", path, body, api_version=api)
    assert status in (200, 201, 202), answer
    return answer


def vnet_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


def network(emu, vid: str, dns: list[str] | None, prefix: str = "10.1.0.0/16") -> None:
    props: dict = {"addressSpace": {"addressPrefixes": [prefix]}}
    if dns is not None:
        props["dhcpOptions"] = {"dnsServers": dns}
    _put(emu, vid, {"location": "westeurope", "properties": props}, NETWORK_API)


def zone_link(emu, zone_id: str, vid: str, *, fallback: bool = False) -> None:
    props: dict = {"virtualNetwork": {"id": vid}, "registrationEnabled": False}
    if fallback:
        props["resolutionPolicy"] = "NxDomainRedirect"
    _put(emu, f"{zone_id}/virtualNetworkLinks/{vid.rsplit('/', 1)[-1]}", {"location": "global", "properties": props},
         DNS_API)


def ruleset(emu, rid: str, outbound: str, rules: dict[str, tuple[str, list[str], str]], links: list[str]) -> None:
    """`rules`: name → (domain, targets, state)."""
    _put(emu, rid, {"location": "westeurope", "properties": {"dnsResolverOutboundEndpoints": [{"id": outbound}]}},
         RESOLVER_API)
    for name, (domain, targets, state) in rules.items():
        _put(emu, f"{rid}/forwardingRules/{name}", {"properties": {
            "domainName": domain, "targetDnsServers": [{"ipAddress": t, "port": 53} for t in targets],
            "forwardingRuleState": state}}, RESOLVER_API)
    for vid in links:
        _put(emu, f"{rid}/virtualNetworkLinks/{vid.rsplit('/', 1)[-1]}",
             {"properties": {"virtualNetwork": {"id": vid}}}, RESOLVER_API)


def seed(emu) -> Estate:
    hub, spoke, rg = emu.hub_subscription, emu.spoke_subscription, emu.hub_resource_group
    lab = Lab(emu.env(), spoke_subscription=spoke)
    hub_vnet = vnet_id(hub, "rg-hub-net", "vnet-hub")
    network(emu, hub_vnet, None, "10.0.0.0/16")
    spokes = {n: vnet_id(spoke, "rg-net", n) for n in ("vnet-spoke-a", "vnet-spoke-b", "vnet-spoke-c", "vnet-spoke-own")}
    network(emu, spokes["vnet-spoke-a"], [INBOUND_IP])
    network(emu, spokes["vnet-spoke-b"], None)
    network(emu, spokes["vnet-spoke-c"], None)
    network(emu, spokes["vnet-spoke-own"], [SPOKE_OWN_DNS])

    resolver = f"/subscriptions/{hub}/resourceGroups/rg-hub-net/providers/Microsoft.Network/dnsResolvers/dnsr-hub"
    _put(emu, resolver, {"location": "westeurope", "properties": {"virtualNetwork": {"id": hub_vnet}}}, RESOLVER_API)
    inbound = f"{resolver}/inboundEndpoints/in-hub"
    _put(emu, inbound, {"location": "westeurope", "properties": {"ipConfigurations": [
        {"subnet": {"id": f"{hub_vnet}/subnets/snet-inbound"}, "privateIpAddress": INBOUND_IP,
         "privateIpAllocationMethod": "Static"}]}}, RESOLVER_API)
    outbound = f"{resolver}/outboundEndpoints/out-hub"

    lab.create_zones(BLOB, VAULT, SQL, QUEUE)
    zones = {z: f"/subscriptions/{hub}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{z}"
             for z in (BLOB, VAULT, SQL, QUEUE)}
    zone_link(emu, zones[BLOB], hub_vnet)
    zone_link(emu, zones[VAULT], hub_vnet, fallback=True)
    # SQL: not linked to the hub network (an endpoint needs it); QUEUE: not linked, no endpoint needs it.

    base = f"/subscriptions/{hub}/resourceGroups/rg-hub-net/providers/Microsoft.Network/dnsForwardingRulesets"
    rulesets = {n: f"{base}/{n}" for n in ("rs-spokes", "rs-divert", "rs-hub")}
    ruleset(emu, rulesets["rs-spokes"], outbound, {
        "windows-net": ("windows.net.", [INBOUND_IP], "Enabled"),
        "vault": ("vaultcore.azure.net.", [INBOUND_IP], "Enabled"),
        "corp": ("corp.contoso.com.", [ON_PREM], "Enabled"),  # look-alike: no hub zone under it
        "blob-off": ("blob.core.windows.net.", [ON_PREM], "Disabled"),  # look-alike: disabled
    }, [spokes["vnet-spoke-b"]])
    ruleset(emu, rulesets["rs-divert"], outbound, {
        "blob": ("blob.core.windows.net.", [ON_PREM], "Enabled"),  # diverts the hub's blob zone
        "privatelink-blob": ("privatelink.blob.core.windows.net.", [INBOUND_IP], "Enabled"),  # look-alike: the hub
        "myblob": ("myblob.core.windows.net.", [ON_PREM], "Enabled"),  # look-alike: no parent of a hub zone
    }, [spokes["vnet-spoke-c"]])
    ruleset(emu, rulesets["rs-hub"], outbound, {
        "loop": ("loop.contoso.com.", [INBOUND_IP], "Enabled"),  # the hub's own inbound endpoint: a loop
        "onprem": ("corp.contoso.com.", [ON_PREM], "Enabled"),
    }, [hub_vnet])

    published = lab.blob_endpoint("pe-published", "published", "10.1.0.4", vnet="vnet-spoke-a")
    lab.put_endpoint(published)
    lab.put_record(BLOB, "published", ["10.1.0.4"],
                   metadata={"pednsowner": "pedns", "pednsholder": f"{spoke}/rg-app/pe-published"})
    sql_target = f"/subscriptions/{spoke}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/orders"
    lab.put_endpoint(lab.endpoint_body("pe-sql", target=sql_target, group="sqlServer",
                                       dns={"orders.database.windows.net": ["10.1.0.7"]}, vnet="vnet-spoke-a"))
    lab.put_record(SQL, "orders", ["10.1.0.7"], metadata={"pednsowner": "pedns"})
    # Names used without an approved endpoint: in the blob zone, which holds records and has no fallback
    # (no-public-fallback); in the vault zone, whose link falls back, and the queue zone, which holds no
    # record (look-alikes).
    lab.put_endpoint(lab.blob_endpoint("pe-pending", "partner", "10.1.0.8", status="Pending", manual=True,
                                       vnet="vnet-spoke-a"))
    vault = f"/subscriptions/{spoke}/resourceGroups/rg-data/providers/Microsoft.KeyVault/vaults/kv-partner"
    lab.put_endpoint(lab.endpoint_body("pe-kv-pending", target=vault, group="vault", status="Pending", manual=True,
                                       dns={"kv-partner.vault.azure.net": ["10.1.0.9"]}, vnet="vnet-spoke-a"))
    app_vault = f"/subscriptions/{spoke}/resourceGroups/rg-data/providers/Microsoft.KeyVault/vaults/kv-app"
    lab.put_endpoint(lab.endpoint_body("pe-kv-app", target=app_vault, group="vault",
                                       dns={"kv-app.vault.azure.net": ["10.1.0.10"]}, vnet="vnet-spoke-a"))
    lab.put_record(VAULT, "kv-app", ["10.1.0.10"], metadata={"pednsowner": "pedns"})
    queue = lab.storage_id("partner")
    lab.put_endpoint(lab.endpoint_body("pe-queue-pending", target=queue, group="queue", status="Pending", manual=True,
                                       dns={"partner.queue.core.windows.net": ["10.1.0.11"]}, vnet="vnet-spoke-a"))
    lab.close()
    return Estate(hub_vnet, spokes["vnet-spoke-a"], spokes["vnet-spoke-b"], spokes["vnet-spoke-c"],
                  spokes["vnet-spoke-own"], rulesets, zones, inbound,
                  {"PEDNS_HUB_DNS_SERVERS": INBOUND_IP, "PEDNS_HUB_VNET_IDS": hub_vnet})
