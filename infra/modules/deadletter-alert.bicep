// Deployed into a spoke's event resource group: a metric alert when the subscription's Event Grid
// system topic dead-letters an event for pedns (DeadLetteredCount, Learn: "Azure Event Grid -
// Monitor data reference (push delivery)"). Those events waited 24 hours for the function and are
// in the hub's dead-letter container: replay them with `pedns events apply`, or let the reconcile
// repair what they would have done.

@description('Name of the existing system topic (in this resource group).')
param systemTopicName string

@description('Event subscriptions to watch, each on its own (default: every one on the topic; pedns\'s are pedns and pedns-connections).')
param eventSubscriptionNames array = [
  '*'
]

@description('Action group to notify (resource id, may be in the hub). Empty: the alert fires in the portal only.')
param actionGroupId string = ''

param tags object = {}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: systemTopicName
}

resource deadLetters 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'pedns-dead-letters-${systemTopicName}'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered events meant for pedns. They are in the hub\'s dead-letter container: replay them with pedns events apply (docs/deploy.md), or wait for the reconcile.'
    severity: 2
    enabled: true
    scopes: [
      topic.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          metricName: 'DeadLetteredCount'
          dimensions: [
            {
              name: 'EventSubscriptionName'
              operator: 'Include'
              values: eventSubscriptionNames
            }
          ]
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
    actions: empty(actionGroupId) ? [] : [
      {
        actionGroupId: actionGroupId
      }
    ]
  }
}

output id string = deadLetters.id
