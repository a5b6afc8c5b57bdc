// Deployed into the resource group that holds the private DNS zones.
// Defines pedns's custom roles (assignable to this resource group only) and assigns them to the
// function identity here. Never Private DNS Zone Contributor, Contributor or Owner: the roles list
// exactly the operations pedns performs (infra/roles/*.json is the readable source).
//
// Two roles, each identical whichever hub deploys it. Several hubs may share this resource group
// (one per region, each with its own PEDNS_OWNER_ID), and a role definition is one resource per id:
// a single role whose actions followed one hub's createZonesAtRuntime would be rewritten by every
// hub's deployment, the last one silently granting or removing zone and link writes for the
// others. So the record writer (every hub) and the zone creator (hubs with createZonesAtRuntime)
// each have an id and actions that depend on this resource group only; hubs differ only in which
// of them their identity is assigned (tests/infra checks that no parameter reaches a definition).

@description('Principal id of the function app identity.')
param principalId string

@description('Also allow creating zones and virtual network links (PEDNS_CREATE_ZONES): assigns the zone creator role too.')
param allowZoneCreation bool = false

@description('Also allow listing a zone\'s record sets of every type in one request (PEDNS_LIST_ALL_RECORD_TYPES): assigns the record lister role too.')
param allowListAllRecordTypes bool = false

var records = loadJsonContent('../roles/dns-records.json')
var zones = loadJsonContent('../roles/dns-zones.json')
// The record writer keeps the id it always had: a hub deployed before the split keeps its role and
// assignment (the zone actions the role held then move to the zone creator).
var recordsRoleGuid = guid(resourceGroup().id, 'pedns-dns-records')
var zonesRoleGuid = guid(resourceGroup().id, 'pedns-dns-zones')
// ALL/read is a role of its own for the same reason as the zone creator: added to the record writer
// for one hub, it would be granted or taken away for every hub sharing this resource group.
var listAll = loadJsonContent('../roles/dns-list-all.json')
var listAllRoleGuid = guid(resourceGroup().id, 'pedns-dns-list-all')

resource recordsRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: recordsRoleGuid
  properties: {
    // Role names are unique per tenant: the resource group id hash keeps one per zones group.
    roleName: 'pedns DNS record writer (${uniqueString(resourceGroup().id)})'
    description: records.description
    type: 'CustomRole'
    permissions: [
      {
        actions: records.actions
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

resource recordsAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, recordsRoleGuid)
  dependsOn: [
    recordsRole
  ]
  properties: {
    // Subscription-level id: a role definition deployed at resource-group scope reports an
    // RG-prefixed id that role assignments do not accept.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', recordsRoleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'pedns: manage A and AAAA record sets in this resource group\'s private DNS zones'
  }
}

resource zonesRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (allowZoneCreation) {
  name: zonesRoleGuid
  properties: {
    roleName: 'pedns DNS zone creator (${uniqueString(resourceGroup().id)})'
    description: zones.description
    type: 'CustomRole'
    permissions: [
      {
        actions: zones.actions
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

// Turning createZonesAtRuntime off later does not remove this assignment (ARM deploys
// incrementally): delete it by hand (docs/deploy.md, "Several hubs, one DNS resource group").
resource zonesAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (allowZoneCreation) {
  name: guid(resourceGroup().id, principalId, zonesRoleGuid)
  dependsOn: [
    zonesRole
  ]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', zonesRoleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'pedns: create missing private DNS zones in this resource group and link them to the hub networks'
  }
}

resource listAllRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (allowListAllRecordTypes) {
  name: listAllRoleGuid
  properties: {
    roleName: 'pedns DNS record lister (${uniqueString(resourceGroup().id)})'
    description: listAll.description
    type: 'CustomRole'
    permissions: [
      {
        actions: listAll.actions
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

resource listAllAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (allowListAllRecordTypes) {
  name: guid(resourceGroup().id, principalId, listAllRoleGuid)
  dependsOn: [
    listAllRole
  ]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', listAllRoleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'pedns: list a private DNS zone\'s record sets of every type in one request'
  }
}

output roleDefinitionId string = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', recordsRoleGuid)
output zoneRoleDefinitionId string = allowZoneCreation ? subscriptionResourceId('Microsoft.Authorization/roleDefinitions', zonesRoleGuid) : ''
var granted = allowZoneCreation ? concat(records.actions, zones.actions) : records.actions
output actions array = allowListAllRecordTypes ? concat(granted, listAll.actions) : granted
