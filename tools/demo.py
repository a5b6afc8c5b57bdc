"""`make demo`: pedns end to end on the local ARM emulator.

1. starts the emulator (HTTPS, its own CA) and points pedns at it, as `pedns emulator` prints;
2. the network team's hub: private DNS zones, and one record someone made by hand;
3. an application team's spoke: private endpoints for Storage, Key Vault, SQL, a multi-region
   Cosmos DB account, a second (DR) endpoint for the same storage account, one awaiting approval,
   and a dual-stack one (IPv4 and IPv6: an A and an AAAA record);
4. Event Grid delivers ResourceWriteSuccess events to the `events` function, invoked as the
   Functions worker invokes it. The emulator provisions endpoints as Azure does (`Updating`, no DNS
   configs yet, for a moment after the PUT): the first deliveries find them not ready and fail, so
   Event Grid redelivers, and the redeliveries publish;
5. the vault owner approves the pending endpoint: the target's connection event publishes it;
6. prints the hub zones; deletes the Cosmos DB endpoint and the primary storage endpoint,
   delivers the delete events, and prints the zones again: the Cosmos DB records are gone, and
   the storage record failed over to the DR endpoint instead of disappearing.
"""

from __future__ import annotations

import logging
import os
import sys
import time

import emulator
from emulator._cli import DEMO_MANUAL_RECORD, demo_endpoints
from emulator._cli import DEMO_ZONES as ZONES
from tools.functions_host import FunctionsHost
from tools.lab import Lab, delivery


def show_zones(lab: Lab, title: str) -> None:
    from shared.core import ownership
    from shared.core.model import RecordKey, RecordSet

    print(f"\n== {title}")
    rows = []
    listed = [(r, "A") for r in lab.records()] + [(r, "AAAA") for r in lab.records("AAAA")]
    for r, rtype in sorted(listed, key=lambda item: (item[0]["zone"], item[0]["name"], item[1])):
        record = RecordSet(RecordKey(r["zone"], r["name"]), tuple(r["ips"]), r["ttl"], None, r["metadata"])
        holder = ownership.holder(record)
        standby = [c.name for c in ownership.claims(record) if c != holder]
        owner = (holder.name if holder else "") if r["metadata"].get(ownership.OWNER_KEY) else "(not pedns)"
        rows.append((r["zone"], r["name"], rtype, ", ".join(r["ips"]),
                     owner + (f"  standby: {', '.join(standby)}" if standby else "")))
    header = ("ZONE", "NAME", "TYPE", "IPS", "OWNING ENDPOINT")
    widths = [max(len(str(x[i])) for x in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  " + "  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


#: How long a new private endpoint reads `Updating` on the emulator (Azure: until its provisioning ends).
PROVISIONING_SECONDS = 1.5


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="  %(levelname)s %(name)s: %(message)s", stream=sys.stdout)
    faults = emulator.Faults(provisioning_delay_ms=int(PROVISIONING_SECONDS * 1000))
    with emulator.Emulator(faults=faults) as emu:
        print(f"ARM emulator listening on {emu.base_url} (CA {emu.ca_path})")
        os.environ.update(emu.env())
        os.environ.setdefault("PEDNS_RECONCILE_SCHEDULE", "0 */15 * * * *")
        for name, value in emu.env().items():
            print(f"  export {name}={value}")
        spoke = emu.spoke_subscription
        lab = Lab(emu.env(), spoke_subscription=spoke)

        print("\nHub (network team): creating private DNS zones", ", ".join(ZONES))
        lab.create_zones(*ZONES)
        zone, name, ips, metadata = DEMO_MANUAL_RECORD
        lab.put_record(zone, name, ips, metadata=metadata)

        # The same hub and spoke as `pedns emulator --demo`: Storage (with a DR endpoint on the same
        # name), Key Vault, SQL, a multi-region Cosmos DB account, a Key Vault endpoint awaiting approval.
        endpoints = demo_endpoints(spoke)
        print(f"Spoke (application team, subscription {spoke}): creating {len(endpoints)} private endpoints")
        for body in endpoints:
            lab.put_endpoint(body)

        import function_app

        host = FunctionsHost(function_app.app)
        print("\nEvent Grid -> function 'events': delivering ResourceWriteSuccess events at once, while ARM "
              "still provisions the endpoints")
        events = [lab.event(body["id"], "write") for body in endpoints]
        for body, event in zip(endpoints, events):
            [result] = host.deliver(delivery(event))
            reason = str(result.error).rsplit(": ", 1)[-1]
            print(f"  {body['name']:<22} {'ok' if result.ok else f'not ready ({reason}): failed, Event Grid redelivers'}")
        time.sleep(PROVISIONING_SECONDS)
        emu.set_faults(emulator.Faults())  # from here on, endpoint writes read back at once
        print("\nEvent Grid redelivers the same events once provisioning has finished")
        for body, event in zip(endpoints, events):
            [result] = host.deliver(delivery(event))
            print(f"  {body['name']:<22} {'ok' if result.ok else 'failed: ' + str(result.error)}")
        show_zones(lab, "Hub zones after the write events")

        print("\nWhy pe-partner-kv and pe-shopdata-blob-dr got nothing of their own (pedns explain):")
        from shared.cli import main as pedns

        pedns(["explain", "-q", endpoints[5]["id"], endpoints[1]["id"]])

        partner = endpoints[5]
        target = partner["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"]
        # A person approves later; by then Resource Graph, which lags ARM (2 s on the emulator), lists
        # the endpoint pedns finds through it from the target's event.
        time.sleep(emu.faults.graph_lag_ms / 1000.0)
        print("\nLater, the vault's owner approves pe-partner-kv; Event Grid delivers the target's "
              "privateEndpointConnections/write")
        approved = lab.endpoint_body("pe-partner-kv", target=target, group="vault", status="Approved", manual=True,
                                     dns={"partner-kv.vault.azure.net": ["10.20.1.9"]})
        assert approved["id"] == partner["id"]
        lab.put_endpoint(approved)  # ARM updates the endpoint's connection state itself
        [result] = host.deliver(delivery(lab.connection_event(target, "pe-partner-kv.2f1c")))
        print(f"  {'pe-partner-kv':<22} {'ok' if result.ok else 'failed: ' + str(result.error)}")

        print("\nSpoke: deleting pe-shopdata-blob and pe-orders-cosmos; Event Grid delivers ResourceDeleteSuccess")
        for body in (endpoints[0], endpoints[4]):
            lab.delete_endpoint(body["id"])
            [result] = host.deliver(delivery(lab.event(body["id"], "delete")))
            print(f"  {body['name']:<22} {'ok' if result.ok else 'failed: ' + str(result.error)}")
        show_zones(lab, "Hub zones now: partner-kv approved and published, Cosmos DB records gone, "
                        "shopdata failed over to the DR endpoint")

        remaining = {(r["zone"], r["name"]): r["ips"] for r in lab.records()}
        remaining.update({(r["zone"], r["name"], "AAAA"): r["ips"] for r in lab.records("AAAA")})
        lab.close()
    expected = {
        ("privatelink.blob.core.windows.net", "shopdata"): ["10.30.1.4"],
        ("privatelink.blob.core.windows.net", "shoplogs"): ["10.20.1.10"],
        ("privatelink.blob.core.windows.net", "shoplogs", "AAAA"): ["fd00:20:1::a"],
        ("privatelink.database.windows.net", "legacy-sql"): ["10.9.0.10"],
        ("privatelink.database.windows.net", "shop-sql"): ["10.20.1.6"],
        ("privatelink.vaultcore.azure.net", "shop-kv"): ["10.20.1.5"],
        ("privatelink.vaultcore.azure.net", "partner-kv"): ["10.20.1.9"],
    }
    if remaining != expected:
        print(f"\ndemo: unexpected hub state {remaining}", file=sys.stderr)
        return 1
    print("\ndemo: done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
