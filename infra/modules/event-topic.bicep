// Deployed into the spoke's event resource group: the subscription's system topic for Azure
// Resource Manager events. Its system-assigned identity writes undeliverable events to the hub's
// dead-letter container. A subscription can have only one Microsoft.Resources.Subscriptions system
// topic: with `useExisting`, the one there is only read (its identities, tags and resource group stay
// as they are) and pedns adds its event subscriptions to it.

@description('System topic name.')
param name string

@description('The topic exists already (any owner): read it, write nothing.')
param useExisting bool = false

param tags object = {}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (!useExisting) {
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

resource existingTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: name
}

output name string = name
output id string = resourceId('Microsoft.EventGrid/systemTopics', name)
// ARM evaluates only the branch the condition picks, so the topic not deployed is never read.
output principalId string = useExisting ? existingTopic.identity.principalId : topic.identity.principalId
