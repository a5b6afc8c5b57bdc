// Deployed into the spoke's event resource group: the subscription's system topic for Azure
// Resource Manager events. Its system-assigned identity writes undeliverable events to the hub's
// dead-letter container. A subscription can have only one Microsoft.Resources.Subscriptions system
// topic: if one exists already, deploy with its name and resource group instead.

@description('System topic name.')
param name string

param tags object = {}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  // Subscription-level topics are global.
  location: 'global'
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

output name string = topic.name
output id string = topic.id
output principalId string = topic.identity.principalId
