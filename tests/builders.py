"""Small builders for domain values in tests (the real payloads live in tests/fixtures/)."""

from __future__ import annotations

from shared.core.model import Connection, ConnectionStatus, DnsConfig, PrivateEndpoint, RecordKey, ResourceId

SPOKE = "11111111-1111-1111-1111-111111111111"
SPOKE2 = "22222222-2222-2222-2222-222222222222"


def pe_id(name: str, *, sub: str = SPOKE, rg: str = "rg-app") -> ResourceId:
    return ResourceId(f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}")


def storage_id(account: str, *, sub: str = SPOKE) -> str:
    return f"/subscriptions/{sub}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/{account}"


def endpoint(
    name: str,
    configs: dict[str, list[str]] | None = None,
    *,
    target: str | None = None,
    group: str = "blob",
    status: ConnectionStatus = ConnectionStatus.APPROVED,
    manual: bool = False,
    state: str = "Succeeded",
    location: str = "westeurope",
    vnet: str = "vnet-spoke",
    sub: str = SPOKE,
    zone_group: bool = False,
) -> PrivateEndpoint:
    """A private endpoint; by default one storage blob FQDN `<name>acct.blob.core.windows.net`."""
    if configs is None:
        configs = {f"{name}acct.blob.core.windows.net": ["10.0.1.4"]}
    return PrivateEndpoint(
        id=pe_id(name, sub=sub),
        location=location,
        provisioning_state=state,
        connections=(Connection(name, target or storage_id(f"{name}acct", sub=sub), (group,), status, manual),),
        dns_configs=tuple(DnsConfig(f, tuple(ips)) for f, ips in configs.items()),
        subnet_id=f"/subscriptions/{sub}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/{vnet}/subnets/pe",
        has_zone_group=zone_group,
    )


class SuffixResolver:
    """A test double for the catalogue: `<name>.<suffix>` → (`privatelink.<suffix>`, name)."""

    SUFFIXES = ("blob.core.windows.net", "documents.azure.com", "vault.azure.net", "database.windows.net")

    def binding(self, *, target_id: str, group_id: str) -> tuple[str, ...] | None:
        return None  # names are not bound to targets here (tests/unit/test_name_binding.py binds them)

    def resolve(self, *, target_id: str, group_id: str, fqdn: str, location: str) -> RecordKey | None:
        for suffix in self.SUFFIXES:
            if fqdn.endswith("." + suffix):
                zone = "privatelink.vaultcore.azure.net" if suffix == "vault.azure.net" else f"privatelink.{suffix}"
                return RecordKey(zone, fqdn[: -len(suffix) - 1].removesuffix(".privatelink"))
        return None

    def why_unmapped(self, *, target_id: str, group_id: str, fqdn: str, location: str) -> str:
        return f"{fqdn} is under none of the test resolver's suffixes: {', '.join(self.SUFFIXES)}"


class FakeClock:
    """A clock that moves only when something sleeps on it: `clock()` reads it, `clock.sleep(s)`
    advances it and remembers the sleep (for the pacer's `clock=` and `sleep=`)."""

    def __init__(self, now: float = 0.0) -> None:
        self.now, self.slept = now, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
