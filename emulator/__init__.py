"""pedns's local Azure Resource Manager emulator (a development tool, not part of the function app).

It serves, over real HTTPS with a development CA (its state dir's, shared by the emulators started
from it), the ARM routes pedns uses — private endpoints and their DNS zone groups, Private DNS zones,
virtual network links and record sets, management groups and the Resource Graph queries pedns sends —
with ARM's status codes, error shapes, etags, paging, throttling and injected faults, so the real
Azure SDK clients talk to it unchanged. See
`emulator/README.md` for the behaviour and its deliberate choices.

Public API:
    main(argv) -> int      the `pedns emulator` command
    Emulator               in-process server for tests and demos
    Faults                 fault injection and throttling settings
    ENDPOINTS_QUERY, TARGET_QUERY_TEMPLATE, SUBSCRIPTIONS_QUERY, ZONES_QUERY, LINKS_QUERY,
    NETWORKS_QUERY, ADDRESSES_QUERY, RULESETS_QUERY, INBOUND_QUERY, target_query, kql_string
                           the Resource Graph queries the emulator answers
    EMULATOR_TENANT_ID     the tenant (and tenant root management group) id
    EMULATOR_TOKEN         the bearer token that holds EventGrid Data Sender by default (pedns's
                           emulator credential's)
"""

from ._cli import main
from ._eventgrid import EMULATOR_TOKEN
from ._faults import Faults
from ._kql import (
    ADDRESSES_QUERY,
    ENDPOINTS_QUERY,
    INBOUND_QUERY,
    LINKS_QUERY,
    NETWORKS_QUERY,
    RULESETS_QUERY,
    SUBSCRIPTIONS_QUERY,
    TARGET_QUERY_TEMPLATE,
    ZONES_QUERY,
    kql_string,
    target_query,
)
from ._management import TENANT_ID as EMULATOR_TENANT_ID
from ._emulator import DEFAULT_HUB_RESOURCE_GROUP, DEFAULT_HUB_SUBSCRIPTION, DEFAULT_SPOKE_SUBSCRIPTION, Emulator

__all__ = [
    "ADDRESSES_QUERY",
    "INBOUND_QUERY",
    "LINKS_QUERY",
    "NETWORKS_QUERY",
    "RULESETS_QUERY",
    "ZONES_QUERY",
    "DEFAULT_HUB_RESOURCE_GROUP",
    "DEFAULT_HUB_SUBSCRIPTION",
    "DEFAULT_SPOKE_SUBSCRIPTION",
    "EMULATOR_TENANT_ID",
    "EMULATOR_TOKEN",
    "ENDPOINTS_QUERY",
    "SUBSCRIPTIONS_QUERY",
    "TARGET_QUERY_TEMPLATE",
    "Emulator",
    "Faults",
    "kql_string",
    "main",
    "target_query",
]
