// Deployed into the hub resource group (from a spoke deployment): lets one spoke's system topic
// identity write dead-lettered events into the dead-letter container, and nowhere else.

@description('Name of the hub storage account.')
param storageAccountName string

@description('Name of the dead-letter container.')
param containerName string

@description('Principal id of the spoke\'s system topic identity.')
param principalId string

@description('The spoke subscription the topic belongs to (for the assignment\'s description).')
param spokeSubscriptionId string

// Storage Blob Data Contributor (built-in): the role Event Grid documents for blob dead-lettering.
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobs
  name: containerName
}

resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, principalId, blobDataContributor)
  scope: container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'pedns: Event Grid dead-lettering from subscription ${spokeSubscriptionId}'
  }
}
