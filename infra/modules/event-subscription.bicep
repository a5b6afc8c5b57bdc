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

resource eventSubscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: name
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/${functionName}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
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
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
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
  }
}

output id string = eventSubscription.id
output operationNames array = operationNames
