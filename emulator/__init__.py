"""pedns's local Azure Resource Manager emulator (a development tool, not part of the function app).

It serves, over real HTTPS with a throwaway CA, the ARM routes pedns uses — private endpoints and
their DNS zone groups, Private DNS zones, virtual network links and record sets — with ARM's
status codes, error shapes, etags, paging, throttling and injected faults, so the real Azure SDK
clients talk to it unchanged. See `emulator/README.md` for the behaviour and its deliberate choices.

Public API:
    main(argv) -> int      the `pedns emulator` command
    Emulator               in-process server for tests and demos
    Faults                 fault injection and throttling settings
"""

from ._cli import main
from ._faults import Faults
from ._server import DEFAULT_HUB_RESOURCE_GROUP, DEFAULT_HUB_SUBSCRIPTION, DEFAULT_SPOKE_SUBSCRIPTION, Emulator

__all__ = [
    "DEFAULT_HUB_RESOURCE_GROUP",
    "DEFAULT_HUB_SUBSCRIPTION",
    "DEFAULT_SPOKE_SUBSCRIPTION",
    "Emulator",
    "Faults",
    "main",
]
