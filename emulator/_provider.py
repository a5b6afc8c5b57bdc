"""Microsoft.Network as the emulator's resource routes name it: the namespace, the resource types
and the api-versions each route implements."""

from __future__ import annotations

NETWORK = "Microsoft.Network"
PE_TYPE = f"{NETWORK}/privateEndpoints"
ZONE_GROUP_TYPE = f"{NETWORK}/privateEndpoints/privateDnsZoneGroups"
ZONE_TYPE = f"{NETWORK}/privateDnsZones"
LINK_TYPE = f"{NETWORK}/privateDnsZones/virtualNetworkLinks"

#: api-versions the routes implement; ARM refuses any other with 400 `NoRegisteredProviderFound`.
#: Private DNS: every stable version in azure-rest-api-specs
#: (specification/privatedns/resource-manager/Microsoft.Network/stable/). Network: the stable versions
#: whose PrivateEndpointGet example is in the specs and whose private endpoint body the emulator serves
#: (pedns and tools/lab.py send 2024-05-01; the recorded cassettes 2022-01-01). Add one when a client needs it.
DNS_API_VERSIONS = ("2018-09-01", "2020-01-01", "2020-06-01", "2024-06-01")
NETWORK_API_VERSIONS = ("2022-01-01", "2024-05-01", "2024-07-01", "2024-10-01", "2025-01-01", "2025-03-01")
