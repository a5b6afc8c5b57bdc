// The app teams' notifications (docs/notifications.md): an Event Grid custom topic that takes
// CloudEvents 1.0 and only Microsoft Entra ID tokens (local key and SAS auth disabled), the
// EventGrid Data Sender role on it for the pedns identity, and optionally an example event
// subscription that delivers every notification to a storage queue with the topic's own managed
// identity (a Logic App, Power Automate flow or Teams workflow reads the queue; docs/notifications.md
// shows how). No key or connection secret anywhere.

@description('Azure region of the topic.')
param location string

@description('Topic name (3-50 letters, digits and hyphens).')
@minLength(3)
@maxLength(50)
param name string

@description('Principal id of the pedns identity: gets EventGrid Data Sender on this topic only.')
param senderPrincipalId string

@description('Enabled: the function reaches the topic over its public endpoint (Entra ID only). Disabled needs a private endpoint for the topic and the function app\'s virtual network integration (not created here).')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string = 'Enabled'

@description('Example subscription: resource id of a storage account whose queue (queueName, existing) receives every notification. Empty: no subscription; app teams add their own.')
param queueStorageAccountId string = ''

@description('The existing queue of the example subscription.')
param queueName string = 'pedns-notifications'

@description('The example subscription delivers only events with data.actionRequired = true (pending approval, unmapped, foreign, ...).')
param actionRequiredOnly bool = false

param tags object = {}

// EventGrid Data Sender (built-in): publish events to the topic, nothing else (Learn, "Authenticate
// publishing clients using Microsoft Entra ID").
var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'

var eventTypes = [
  'pedns.endpoint.changed'
  'pedns.endpoint.skipped'
]

var actionRequiredFilter = [
  {
    operatorType: 'BoolEquals'
    key: 'data.actionRequired'
    value: true
  }
]

resource topic 'Microsoft.EventGrid/topics@2022-06-15' = {
  //checkov:skip=CKV_AZURE_193: the function app (Flex Consumption, virtual network integration optional) publishes over the public endpoint by default; local auth is disabled, so only an Entra ID token with EventGrid Data Sender on this topic can publish (publicNetworkAccess param for private setups).
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: publicNetworkAccess
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, senderPrincipalId, eventGridDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
    principalId: senderPrincipalId
    principalType: 'ServicePrincipal'
  }
}

module queueAccess 'notification-queue-access.bicep' = if (!empty(queueStorageAccountId)) {
  name: 'pedns-notification-queue-access-${uniqueString(resourceGroup().id)}'
  scope: resourceGroup(split(queueStorageAccountId, '/')[2], split(queueStorageAccountId, '/')[4])
  params: {
    storageAccountName: last(split(queueStorageAccountId, '/'))
    queueName: queueName
    principalId: topic.identity.principalId
  }
}

resource appTeamQueue 'Microsoft.EventGrid/topics/eventSubscriptions@2022-06-15' = if (!empty(queueStorageAccountId)) {
  parent: topic
  name: 'app-teams-queue'
  dependsOn: [
    queueAccess
  ]
  properties: {
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    filter: {
      includedEventTypes: eventTypes
      advancedFilters: actionRequiredOnly ? actionRequiredFilter : []
    }
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: queueStorageAccountId
          queueName: queueName
          queueMessageTimeToLiveInSeconds: 604800
        }
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output topicId string = topic.id
output endpoint string = topic.properties.endpoint
output principalId string = topic.identity.principalId
