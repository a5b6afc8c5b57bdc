// Deployed into the DNS zones' resource group: creates the given private DNS zones (for example the
// catalogue's zones for one cloud and the chosen regions, from `pedns zones --json`) and links every
// zone to every hub virtual network. Resolution only: auto-registration stays off.
//
// Azure allows one link per zone and virtual network, whatever its name: a link this template names
// `<network>-<hash>` fails the deployment when the pair is already linked under another name. The
// template cannot list what exists, so `existingLinks` says which pairs to leave alone (docs/deploy.md,
// Step 0, builds it with one `az network private-dns link vnet list` per zone).

@description('Private DNS zone names, e.g. ["privatelink.blob.core.windows.net", ...]. A zone that exists already is written too (its tags become these).')
param zoneNames array

@description('Resource ids of the hub virtual networks to link every zone to.')
param hubVnetIds array

@description('Links that exist already, under any name: zone name -> array of linked virtual network ids (lower case). Those pairs get no link from this template. Example: {"privatelink.blob.core.windows.net": ["/subscriptions/.../virtualnetworks/vnet-hub-weu"]}.')
param existingLinks object = {}

param tags object = {}

var vnetCount = length(hubVnetIds)
// Never divide by zero (with no networks the link loop is empty anyway).
var divisor = max(vnetCount, 1)

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for zone in zoneNames: {
  name: zone
  location: 'global'
  tags: tags
}]

// One link per (zone, hub network) not linked yet: index i walks zones outer, networks inner.
// Object keys compare case-insensitively in ARM; the network ids are compared in lower case.
resource links 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for i in range(0, length(zoneNames) * vnetCount): if (!contains(contains(existingLinks, zoneNames[i / divisor]) ? existingLinks[zoneNames[i / divisor]] : [], toLower(hubVnetIds[i % divisor]))) {
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
