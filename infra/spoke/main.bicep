// pedns spoke: wires one source subscription to the hub function. Deploy once per subscription
// whose private endpoints pedns serves (infra/spoke/rollout.sh does it for a management group):
//
//   az deployment sub create --subscription <spoke-sub> -l <region> -n pedns-spoke-<region> \
//     -f infra/spoke/main.bicep -p infra/examples/spoke.parameters.json
//
// The region is in the deployment's name: a subscription deployment's location is fixed per name
// (InvalidDeploymentLocation), so another region needs another name.
//
// Creates: a resource group with the subscription's Event Grid system topic
// (Microsoft.Resources.Subscriptions) and an event subscription that delivers private endpoint
// writes/deletes to the function; on the subscription, read access for the function identity
// limited to the subscription itself and its private endpoints (what pedns's Resource Graph
// queries need); on the hub's dead-letter container, write access for this subscription's topic
// identity.

targetScope = 'subscription'

@description('Region of the event resource group (the system topic itself is global).')
param location string = deployment().location

@description('Resource group for the system topic (created if missing; with useExistingSystemTopic, the existing topic\'s group, left as it is).')
param eventResourceGroupName string = 'rg-pedns-events'

@description('System topic name (with useExistingSystemTopic: the existing topic\'s).')
param systemTopicName string = 'pedns-subscription-events'

@description('The subscription already has its Microsoft.Resources.Subscriptions system topic (at most one is allowed): add pedns\'s event subscriptions to it and write neither the topic nor its resource group. It needs a system-assigned identity (dead-lettering). infra/spoke/rollout.sh finds the topic and sets this per subscription.')
param useExistingSystemTopic bool = false

@description('Resource id of the pedns function app (hub output functionAppId).')
param functionAppId string

@description('Name of the Event Grid-triggered function.')
param functionName string = 'events'

@description('Principal id of the function app identity (hub output functionPrincipalId).')
param functionPrincipalId string

@description('Resource id of the hub storage account (hub output deadLetterStorageAccountId).')
param deadLetterStorageAccountId string

@description('Dead-letter container in that account (hub output deadLetterContainerName).')
param deadLetterContainerName string = 'deadletter'

@description('Resource id of the endpoint reader role defined once for a management group (infra/mg/endpoint-reader-role.bicep). Empty: define one for this subscription.')
param endpointReaderRoleDefinitionId string = ''

@description('Also deliver private DNS zone group writes and deletes.')
param includeZoneGroupEvents bool = true

@description('Also deliver private endpoint connection changes on target resources in this subscription (manual approvals).')
param includeConnectionEvents bool = true

@description('Alert when the system topic dead-letters an event for pedns (metric DeadLetteredCount).')
param deadLetterAlert bool = true

@description('Action group the dead-letter alert notifies (hub output alertActionGroupId). Empty: the alert fires in the portal only.')
param alertActionGroupId string = ''

param tags object = {
  workload: 'pedns'
}

var endpointReader = loadJsonContent('../roles/endpoint-reader.json')
var readerRoleGuid = guid(subscription().id, 'pedns-endpoint-reader')
var createReaderRole = empty(endpointReaderRoleDefinitionId)
// A role defined at a management group is referenced by its GUID in this subscription's form.
var readerRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', createReaderRole ? readerRoleGuid : last(split(endpointReaderRoleDefinitionId, '/')))
var hubSubscriptionId = split(deadLetterStorageAccountId, '/')[2]
var hubResourceGroupName = split(deadLetterStorageAccountId, '/')[4]
var hubStorageAccountName = split(deadLetterStorageAccountId, '/')[8]

resource eventGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = if (!useExistingSystemTopic) {
  name: eventResourceGroupName
  location: location
  tags: tags
}

// Read the subscription, its private endpoints and their zone groups: pedns reads nothing else in a spoke.
resource readerRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (createReaderRole) {
  name: readerRoleGuid
  properties: {
    roleName: 'pedns endpoint reader (${subscription().subscriptionId})'
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
      subscription().id
    ]
  }
}

// The role is part of the name: switching between this subscription's role and the management
// group's makes a new assignment, where changing an existing one's role is refused
// (RoleAssignmentUpdateNotPermitted). Remove the old assignment afterwards (docs/deploy.md).
resource readerAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, functionPrincipalId, readerRoleId)
  dependsOn: [
    readerRole
  ]
  properties: {
    roleDefinitionId: readerRoleId
    principalId: functionPrincipalId
    principalType: 'ServicePrincipal'
    description: 'pedns: read private endpoints in this subscription'
  }
}

module topic '../modules/event-topic.bicep' = {
  name: 'pedns-event-topic'
  scope: resourceGroup(eventResourceGroupName)
  dependsOn: [
    eventGroup
  ]
  params: {
    name: systemTopicName
    useExisting: useExistingSystemTopic
    tags: tags
  }
}

module deadLetterAccess '../modules/deadletter-access.bicep' = {
  name: 'pedns-deadletter-${uniqueString(subscription().id)}'
  scope: resourceGroup(hubSubscriptionId, hubResourceGroupName)
  params: {
    storageAccountName: hubStorageAccountName
    containerName: deadLetterContainerName
    principalId: topic.outputs.principalId
    spokeSubscriptionId: subscription().subscriptionId
  }
}

module events '../modules/event-subscription.bicep' = {
  name: 'pedns-event-subscription'
  scope: resourceGroup(eventResourceGroupName)
  dependsOn: [
    deadLetterAccess
    readerAssignment
  ]
  params: {
    topicName: topic.outputs.name
    functionAppId: functionAppId
    functionName: functionName
    deadLetterStorageAccountId: deadLetterStorageAccountId
    deadLetterContainerName: deadLetterContainerName
    includeZoneGroupEvents: includeZoneGroupEvents
    includeConnectionEvents: includeConnectionEvents
  }
}

module deadLetters '../modules/deadletter-alert.bicep' = if (deadLetterAlert) {
  name: 'pedns-deadletter-alert'
  scope: resourceGroup(eventResourceGroupName)
  params: {
    systemTopicName: topic.outputs.name
    eventSubscriptionNames: events.outputs.names
    actionGroupId: alertActionGroupId
    tags: tags
  }
}

output systemTopicId string = topic.outputs.id
output eventSubscriptionId string = events.outputs.id
output operationNames array = events.outputs.operationNames
output readerRoleDefinitionId string = readerRoleId
