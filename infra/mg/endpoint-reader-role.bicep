// Optional, for many spokes: define pedns's endpoint reader role once for a management group
// instead of once per subscription (custom roles are limited per tenant, and one definition is
// easier to review). Pass the output to every spoke as endpointReaderRoleDefinitionId.
//
//   az deployment mg create --management-group-id <mg> -l <region> -n pedns-reader-role-<region> \
//     -f infra/mg/endpoint-reader-role.bicep \
//     [-p functionPrincipalId=<hub output principalId>]
//
// With functionPrincipalId, the role is also assigned to the hub identity at this management group:
// pedns can then read every subscription below it and their private endpoints, including
// subscriptions added later, without a per-subscription deployment. Do that when the hub has this
// group in sourceManagementGroupIds (PEDNS_SOURCE_MANAGEMENT_GROUPS): Resource Graph, which pedns
// uses to list the group's subscriptions and endpoints, returns only what its identity may read.
// Events still need the spoke deployment in each subscription (infra/spoke/rollout.sh).

targetScope = 'managementGroup'

@description('Principal id of the hub function identity (hub output principalId). Set: assign the role to it at this management group. Empty: only define the role.')
param functionPrincipalId string = ''

var endpointReader = loadJsonContent('../roles/endpoint-reader.json')
var roleGuid = guid(managementGroup().id, 'pedns-endpoint-reader')

resource readerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    roleName: 'pedns endpoint reader (${managementGroup().name})'
    description: endpointReader.description
    type: 'CustomRole'
    permissions: [
      {
        actions: endpointReader.actions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      managementGroup().id
    ]
  }
}

// Read (subscriptions, private endpoints, zone groups) on everything below this group: nothing more.
resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(functionPrincipalId)) {
  // The role is part of the name: ARM refuses to change an assignment's role (RoleAssignmentUpdateNotPermitted).
  name: guid(managementGroup().id, functionPrincipalId, roleGuid)
  dependsOn: [
    readerRole
  ]
  properties: {
    roleDefinitionId: managementGroupResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
    description: 'pedns: read subscriptions and private endpoints under this management group'
  }
}

// The spoke takes the GUID from this id and references it in its own subscription.
output roleDefinitionId string = tenantResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
