// Deployed into the resource group of the storage account that receives the example notification
// subscription: lets the notification topic's identity add messages to one queue, and nothing else
// (no key: Event Grid delivers with the topic's managed identity).

@description('Name of the storage account that holds the queue.')
param storageAccountName string

@description('Name of the existing queue app teams read notifications from.')
param queueName string

@description('Principal id of the notification topic\'s system-assigned identity.')
param principalId string

// Storage Queue Data Message Sender (built-in): add messages to a queue, nothing more (Event Grid's
// "Deliver events to Azure Storage queues using managed identity" names it).
var queueDataMessageSender = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource queue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: queues
  name: queueName
}

resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, principalId, queueDataMessageSender)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueDataMessageSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'pedns: app teams\' notifications from the Event Grid topic'
  }
}
