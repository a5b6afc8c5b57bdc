// Deployed into the resource group that holds the private DNS zones.
// Defines pedns's custom role (assignable to this resource group only) and assigns it to the
// function identity here. Never Private DNS Zone Contributor, Contributor or Owner: the role lists
// exactly the operations pedns performs (infra/roles/*.json is the readable source).

@description('Principal id of the function app identity.')
param principalId string

@description('Also allow creating zones and virtual network links (PEDNS_CREATE_ZONES).')
param allowZoneCreation bool = false

@description('Also allow listing a zone\'s record sets of every type in one request (PEDNS_LIST_ALL_RECORD_TYPES).')
param allowListAllRecordTypes bool = false

var records = loadJsonContent('../roles/dns-records.json')
var zones = loadJsonContent('../roles/dns-zones.json')
var listAll = loadJsonContent('../roles/dns-list-all.json')
var recordActions = allowListAllRecordTypes ? concat(records.actions, listAll.actions) : records.actions
var dnsActions = allowZoneCreation ? concat(recordActions, zones.actions) : recordActions
var roleGuid = guid(resourceGroup().id, 'pedns-dns-records')

resource dnsRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    // Role names are unique per tenant: the resource group id hash keeps one per zones group.
    roleName: 'pedns DNS record writer (${uniqueString(resourceGroup().id)})'
    description: records.description
    type: 'CustomRole'
    permissions: [
      {
        actions: dnsActions
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

resource dnsAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roleGuid)
  dependsOn: [
    dnsRole
  ]
  properties: {
    // Subscription-level id: a role definition deployed at resource-group scope reports an
    // RG-prefixed id that role assignments do not accept.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'pedns: manage A records in this resource group\'s private DNS zones'
  }
}

output roleDefinitionId string = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
output actions array = dnsActions
