// Optional, beside infra/mg/audit-reader-role.bicep: the same read-only audit role, defined and
// assigned in the hub's DNS zones resource group, for when the hub's subscription is not below the
// management group the audit role is deployed at. The audit reads the hub zones' virtual network
// links there, and a role defined at a management group can only be assigned below it.
//
//   az deployment group create -g <dns zones resource group> -n pedns-audit-reader \
//     -f infra/hub/audit-reader-role.bicep -p functionPrincipalId=<hub output principalId>
//
// Several hubs sharing the resource group write the same definition (its id and name depend on the
// resource group only) and get one assignment each.

targetScope = 'resourceGroup'

@description('Principal id of the hub function identity (hub output principalId).')
param functionPrincipalId string

var auditReader = loadJsonContent('../roles/audit-reader.json')
var roleGuid = guid(resourceGroup().id, 'pedns-audit-reader')

resource auditRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    // Role names are unique per tenant: the resource group id hash keeps one per group.
    roleName: 'pedns audit reader (${uniqueString(resourceGroup().id)})'
    description: auditReader.description
    type: 'CustomRole'
    permissions: [
      {
        actions: auditReader.actions
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

// Read the zones and their links in this resource group: nothing more.
resource auditAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, functionPrincipalId, roleGuid)
  dependsOn: [
    auditRole
  ]
  properties: {
    // Subscription-level id: a role definition deployed at resource-group scope reports an
    // RG-prefixed id that role assignments do not accept.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
    description: 'pedns audit: read the hub\'s private DNS zones and their virtual network links'
  }
}

output roleDefinitionId string = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
