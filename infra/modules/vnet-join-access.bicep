// Deployed into a hub virtual network's resource group, only when pedns may create zones.
// Linking a zone to a virtual network needs Microsoft.Network/virtualNetworks/join/action on the
// network itself; this grants exactly that, on that one virtual network.

@description('Name of the hub virtual network (in this resource group).')
param vnetName string

@description('Principal id of the function app identity.')
param principalId string

var vnetJoin = loadJsonContent('../roles/vnet-join.json')
var roleGuid = guid(resourceGroup().id, 'pedns-vnet-join')

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' existing = {
  name: vnetName
}

resource joinRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    roleName: 'pedns hub network linker (${uniqueString(resourceGroup().id)})'
    description: vnetJoin.description
    type: 'CustomRole'
    permissions: [
      {
        actions: vnetJoin.actions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource joinAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vnet.id, principalId, roleGuid)
  scope: vnet
  dependsOn: [
    joinRole
  ]
  properties: {
    // Subscription-level id: a role definition deployed at resource-group scope reports an
    // RG-prefixed id that role assignments do not accept.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'pedns: link private DNS zones to this hub network'
  }
}
