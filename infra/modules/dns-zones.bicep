// Deployed into the DNS zones' resource group: creates the given private DNS zones (for example the
// catalogue's zones for one cloud and the chosen regions, from `pedns zones --json`) and links every
// zone to every hub virtual network. Resolution only: auto-registration stays off.

@description('Private DNS zone names, e.g. ["privatelink.blob.core.windows.net", ...].')
param zoneNames array

@description('Resource ids of the hub virtual networks to link every zone to.')
param hubVnetIds array

param tags object = {}

var vnetCount = length(hubVnetIds)
// Never divide by zero (with no networks the link loop is empty anyway).
var divisor = max(vnetCount, 1)

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for zone in zoneNames: {
  name: zone
  location: 'global'
  tags: tags
}]

// One link per (zone, hub network): index i walks zones outer, networks inner.
resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for i in range(0, length(zoneNames) * vnetCount): {
  parent: zones[i / divisor]
  name: '${split(hubVnetIds[i % divisor], '/')[8]}-${uniqueString(hubVnetIds[i % divisor])}'
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: hubVnetIds[i % divisor]
    }
  }
}]

output zoneCount int = length(zoneNames)
