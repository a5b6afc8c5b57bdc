// Optional: the read-only role `pedns audit` needs beyond the DNS work, defined and assigned to the
// hub identity at a management group, so the DNS identity's own roles stay minimal. Without it the
// audit reports which checks it could not run (docs/security.md, README "The audit").
//
//   az deployment mg create --management-group-id <mg> -l <region> -n pedns-audit-reader-<region> \
//     -f infra/mg/audit-reader-role.bicep \
//     -p functionPrincipalId=<hub output principalId>
//
// Deploy it at a group that contains the spokes and the hub's subscription (the audit also reads the
// hub zones' virtual network links). A role defined here is assignable at this group only (its one
// assignable scope), so when the hub's subscription is elsewhere, deploy infra/hub/audit-reader-role.bicep
// into the hub's DNS resource group as well: the same actions, defined and assigned there.

targetScope = 'managementGroup'

@description('Principal id of the hub function identity (hub output principalId).')
param functionPrincipalId string

var auditReader = loadJsonContent('../roles/audit-reader.json')
var roleGuid = guid(managementGroup().id, 'pedns-audit-reader')

resource auditRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: roleGuid
  properties: {
    roleName: 'pedns audit reader (${managementGroup().name})'
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
      managementGroup().id
    ]
  }
}

// Read zones, links, networks and network interfaces below this group: nothing more.
resource auditAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // The role is part of the name: ARM refuses to change an assignment's role (RoleAssignmentUpdateNotPermitted).
  name: guid(managementGroup().id, functionPrincipalId, roleGuid)
  dependsOn: [
    auditRole
  ]
  properties: {
    roleDefinitionId: managementGroupResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
    description: 'pedns audit: read private DNS zones, links, virtual networks and network interfaces'
  }
}

output roleDefinitionId string = tenantResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
