// Optional, for many spokes: define pedns's endpoint reader role once for a management group
// instead of once per subscription (custom roles are limited per tenant, and one definition is
// easier to review). Pass the output to every spoke as endpointReaderRoleDefinitionId.
//
//   az deployment mg create --management-group-id <mg> -l <region> -f infra/mg/endpoint-reader-role.bicep

targetScope = 'managementGroup'

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

// The spoke takes the GUID from this id and references it in its own subscription.
output roleDefinitionId string = tenantResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
