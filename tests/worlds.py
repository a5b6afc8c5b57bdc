"""A hub and a spoke to run scenarios in: in memory, or on the ARM emulator through the real SDKs.

Both offer the same small interface, so one scenario table checks the pure logic over the
in-memory ports *and* end to end over HTTPS with azure-mgmt-privatedns and the ARM pipeline.
"""

from __future__ import annotations

from builders import SuffixResolver
from shared.core import ownership
from shared.core.desired import DesirePolicy
from shared.core.model import PrivateEndpoint, RecordKey, RecordSet, ResourceId
from shared.core.plan import Policy
from shared.service import Service, ServiceOptions
from shared.testing import InMemoryClaimIndex, InMemoryEndpointReader, InMemoryZoneStore

BLOB = "privatelink.blob.core.windows.net"
COSMOS = "privatelink.documents.azure.com"


class MemoryWorld:
    def __init__(self, *, zones=(BLOB, COSMOS), index=True, **options) -> None:
        self.store = InMemoryZoneStore(zones)
        self.reader = InMemoryEndpointReader()
        self.clock = 1_000
        self.service = self._service(index, **options)

    estate = None  # the in-memory reader lists endpoints itself

    def _service(self, index, **options) -> Service:
        policy = options.pop("policy", Policy())
        desire = options.pop("desire", DesirePolicy())
        return Service(reader=self.reader, store=self.store, resolver=SuffixResolver(),
                       index=InMemoryClaimIndex() if index else None,
                       options=ServiceOptions(policy=policy, desire=desire, **options), clock=self.tick,
                       estate=self.estate)

    def tick(self) -> float:
        self.clock += 1
        return self.clock

    # ARM (the spoke)
    def put(self, pe: PrivateEndpoint) -> None:
        self.reader.put(pe)

    def remove(self, pe: PrivateEndpoint) -> None:
        self.reader.remove(pe.id)

    def put_body(self, body: dict) -> None:
        """An endpoint as ARM's GET shows it, hostile details and all (the reader parses it)."""
        from shared.parsing.endpoint import parse_private_endpoint

        self.reader.put(parse_private_endpoint(body))

    def put_hostile(self, pe: PrivateEndpoint, *entries: object) -> None:
        """`pe` with these raw `customDnsConfigs` entries after its own."""
        body = body_of(pe)
        body["properties"]["customDnsConfigs"] += list(entries)
        self.put_body(body)

    def break_envelope(self, pe: PrivateEndpoint) -> None:
        """`pe` as a body whose envelope cannot be parsed (its connections are not a list)."""
        self.reader.broken[pe.id] = "properties.privateLinkServiceConnections: Input should be a valid list"

    # the hub
    def seed(self, record: RecordSet) -> RecordSet:
        return self.store.seed(record)

    def get(self, key: RecordKey, rtype: str = "A") -> RecordSet | None:
        """The record set of that type at the name (None: there is none)."""
        return self.store.get(key).of(rtype)

    def name(self, key: RecordKey):
        """Both record sets at the name (`NameState`)."""
        return self.store.get(key)

    def zones(self) -> list[str]:
        return self.store.list_zones()

    def records(self) -> list[RecordSet]:
        return self.store.records()

    def write_count(self) -> int:
        return len(self.store.writes)

    # doors
    def create(self, pe: PrivateEndpoint):
        self.put(pe)
        return self.service.converge(pe.id)

    def delete(self, pe: PrivateEndpoint):
        self.remove(pe)
        return self.service.converge(pe.id)

    def zone(self) -> dict[str, tuple[str, ...]]:
        """fqdn → the A records' IPs (`zone6` for AAAA)."""
        return {r.key.fqdn: r.ips for r in self.records() if r.type == "A"}

    def zone6(self) -> dict[str, tuple[str, ...]]:
        return {r.key.fqdn: r.ips for r in self.records() if r.type == "AAAA"}

    # the estate listing (Resource Graph)
    def endpoint_reads(self) -> int:
        """Direct reads of single endpoints so far (ARM GETs, the authoritative path)."""
        return len(self.reader.reads)

    def lag_listing(self) -> None:
        """From now on the listing shows endpoints as they are now, whatever ARM does next."""
        self.reader.freeze_listing()

    def poison(self, name: str) -> ResourceId:
        """An endpoint whose listed body pedns cannot parse."""
        from builders import pe_id
        from shared.core.model import Unreadable

        self.reader.unreadable.append(Unreadable(pe_id(name), "properties.privateLinkServiceConnections: "
                                                              "Input should be a valid list"))
        return pe_id(name)

    def holder(self, key: RecordKey, rtype: str = "A") -> ResourceId | None:
        return ownership.holder(self.get(key, rtype))

    def claims(self, key: RecordKey, rtype: str = "A") -> set[ResourceId]:
        return set(ownership.claims(self.get(key, rtype)))

    def other_deployment(self, owner_id: str) -> Service:
        return Service(reader=self.reader, store=self.store, resolver=SuffixResolver(),
                       options=ServiceOptions(policy=Policy(owner_id=owner_id)), estate=self.estate)


class EmulatorWorld(MemoryWorld):
    """The same world on the ARM emulator: endpoints PUT in ARM GET shape, records through the SDK.

    Resource Graph is made immediately consistent here (`graph_lag_ms=0`; the emulator's default lags
    2 s, as Azure does): the scenario table runs the same steps in memory, where the estate listing is
    the store itself, and a scenario about the lag asks for it with `lag_listing()`.
    """

    def __init__(self, emu, *, zones=(BLOB, COSMOS), index=True, **options) -> None:
        from emulator import Faults
        from shared.adapters.arm import ArmEndpointReader
        from shared.adapters.credentials import make_credential
        from shared.adapters.graph import GraphEstateReader
        from shared.adapters.privatedns import AzureZoneStore
        from shared.settings import Settings
        from tools.lab import Lab

        self.emu = emu
        emu.set_faults(Faults(graph_lag_ms=0))
        self.lab = Lab(emu.env(), spoke_subscription=emu.spoke_subscription)
        if zones:
            self.lab.create_zones(*zones)
        settings = Settings.from_env(emu.env())
        credential = make_credential(settings)
        self.store = AzureZoneStore(credential, settings)
        self.reader = ArmEndpointReader(credential, settings)
        self.estate = GraphEstateReader(credential, settings)
        self.clock = 1_000
        self.service = self._service(index, **options)

    def put(self, pe: PrivateEndpoint) -> None:
        self.lab.put_endpoint(body_of(pe))
        if pe.has_zone_group:
            self.lab.put_zone_group(pe.id.value, [BLOB])

    def put_body(self, body: dict) -> None:
        self.lab.put_endpoint(body)

    def break_envelope(self, pe: PrivateEndpoint) -> None:
        body = body_of(pe)
        body["properties"]["privateLinkServiceConnections"] = "broken"
        self.lab.put_endpoint(body)

    def remove(self, pe: PrivateEndpoint) -> None:
        self.lab.delete_endpoint(pe.id.value)

    def seed(self, record: RecordSet) -> RecordSet:
        key = record.key
        if record.auto_registered:
            assert record.type == "A", "auto-registration writes A records only"
            self.emu.add_autoregistered_record(key.zone, key.name, list(record.ips))
        else:
            self.lab.put_record(key.zone, key.name, list(record.ips), metadata=record.metadata, ttl=record.ttl,
                                rtype=record.type)
        return self.get(key, record.type)

    def zones(self) -> list[str]:
        return self.store.list_zones()

    def records(self) -> list[RecordSet]:
        return [r for zone in self.store.list_zones() for r in self.store.list(zone)]

    def write_count(self) -> int:
        return sum(1 for method, path, status in self.emu.requests
                   if method in ("PUT", "PATCH", "DELETE") and "/privateDnsZones/" in path and status < 300)


    def endpoint_reads(self) -> int:
        return sum(1 for method, path, _ in self.emu.requests
                   if method == "GET" and "/privateendpoints/" in path.lower() and "zonegroups" not in path.lower())

    def lag_listing(self) -> None:
        """Resource Graph a second behind ARM: the next second's changes are not listed yet."""
        import time

        from emulator import Faults

        time.sleep(LAG_SECONDS + 0.1)  # what exists now is older than the lag
        self.emu.set_faults(Faults(graph_lag_ms=int(LAG_SECONDS * 1000)))

    def poison(self, name: str) -> ResourceId:
        from builders import pe_id

        body = self.lab.endpoint_body(name, target=f"{pe_id(name).value}-target", group="blob",
                                      dns={"poisonacct.blob.core.windows.net": ["10.0.9.9"]})
        body["id"] = pe_id(name).value
        body["properties"]["privateLinkServiceConnections"] = "broken"  # the envelope: a bad name alone is skipped
        self.lab.put_endpoint(body)
        return pe_id(name)


LAG_SECONDS = 1.0


def body_of(pe: PrivateEndpoint) -> dict:
    """`pe` in ARM GET shape (network API 2024-05-01), as the emulator serves it."""
    from emulator._cli import endpoint_body

    connection = pe.connections[0]
    body = endpoint_body(
        pe.id.subscription_id, pe.name, target=connection.target_id, group=connection.group_ids[0],
        dns={c.fqdn: list(c.ips) for c in pe.dns_configs}, status=connection.status.value,
        manual=connection.manual, location=pe.location, state=pe.provisioning_state,
        rg=pe.id.resource_group, vnet=pe.virtual_network_id.rsplit("/", 1)[-1],
    )
    body["id"] = pe.id.value
    body["properties"]["subnet"]["id"] = pe.subnet_id
    return body
