// Deployed into the spoke's event resource group: the event subscription that sends private
// endpoint writes and deletes (and zone-group changes) to the pedns function, with retries and
// identity-based dead-lettering to the hub.

@description('Name of the existing system topic (in this resource group).')
param topicName string

@description('Event subscription name.')
param name string = 'pedns'

@description('Resource id of the pedns function app.')
param functionAppId string

@description('Name of the Event Grid-triggered function in the app.')
param functionName string = 'events'

@description('Resource id of the hub storage account for dead-lettered events.')
param deadLetterStorageAccountId string

@description('Blob container for dead-lettered events.')
param deadLetterContainerName string

@description('Also deliver private DNS zone group writes and deletes (they change whether Azure manages an endpoint\'s records).')
param includeZoneGroupEvents bool = true

@description('Also deliver private endpoint connection changes on target resources (manual approvals), so approved endpoints are published in seconds instead of at the next reconcile.')
param includeConnectionEvents bool = true

var connectionOperationSuffixes = [
  '/privateEndpointConnections/write'
  '/privateEndpointConnections/delete'
]

var eventTypes = [
  'Microsoft.Resources.ResourceWriteSuccess'
  'Microsoft.Resources.ResourceDeleteSuccess'
]

var endpointOperations = [
  'Microsoft.Network/privateEndpoints/write'
  'Microsoft.Network/privateEndpoints/delete'
]

var zoneGroupOperations = [
  'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write'
  'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/delete'
]

var operationNames = includeZoneGroupEvents ? concat(endpointOperations, zoneGroupOperations) : endpointOperations

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: topicName
}

var destination = {
  endpointType: 'AzureFunction'
  properties: {
    resourceId: '${functionAppId}/functions/${functionName}'
    maxEventsPerBatch: 1
    preferredBatchSizeInKilobytes: 64
  }
}

var retryPolicy = {
  maxDeliveryAttempts: 30
  eventTimeToLiveInMinutes: 1440
}

var deadLetter = {
  identity: {
    type: 'SystemAssigned'
  }
  deadLetterDestination: {
    endpointType: 'StorageBlob'
    properties: {
      resourceId: deadLetterStorageAccountId
      blobContainerName: deadLetterContainerName
    }
  }
}

resource eventSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: name
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: destination
    filter: {
      includedEventTypes: eventTypes
      // StringIn compares case-insensitively, which ARM's mixed-case operation names need.
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.operationName'
          values: operationNames
        }
      ]
    }
    retryPolicy: retryPolicy
    deadLetterWithResourceIdentity: deadLetter
  }
}

// Approvals, rejections and removals happen on the target resource (a storage account, a vault,
// a Private Link Service...): ARM emits `<provider>/<type>/privateEndpointConnections/write|delete`,
// not a write of the endpoint. A second subscription (advanced filters are ANDed, so one cannot
// hold both) delivers those, and pedns converges the endpoints pointing at that target.
resource connectionSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = if (includeConnectionEvents) {
  parent: topic
  name: '${name}-connections'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: destination
    filter: {
      includedEventTypes: eventTypes
      advancedFilters: [
        {
          operatorType: 'StringEndsWith'
          key: 'data.operationName'
          values: connectionOperationSuffixes
        }
      ]
    }
    retryPolicy: retryPolicy
    deadLetterWithResourceIdentity: deadLetter
  }
}

output id string = eventSubscription.id
output operationNames array = operationNames
@description('The event subscriptions made here (what the dead-letter alert watches).')
output names array = includeConnectionEvents ? [
  name
  '${name}-connections'
] : [
  name
]
