// pedns's log alert rules on its Application Insights component. Every query is a file under
// infra/kql/ (tests/infra/test_kql.py checks them against shared/core/instruments.py). Dead letters are
// alerted on where they are counted, the spoke's Event Grid system topic: deadletter-alert.bicep.

@description('Azure region (of the Application Insights component).')
param location string

@description('Name prefix for the rules.')
param namePrefix string

@description('Resource id of the Application Insights component the queries run against.')
param insightsId string

@description('Action group the alerts notify (resource id). Empty: the alerts fire in the portal only.')
param actionGroupId string = ''

@description('Names newly skipped as zone-missing or unmapped, per reason, in an hour, above which the spike alert fires.')
@minValue(0)
param skipsThreshold int = 5

param tags object = {}

var actions = empty(actionGroupId) ? {} : {
  actionGroups: [
    actionGroupId
  ]
}

// name, description, severity, KQL file, the measure column and its dimension, threshold, window.
var rules = [
  {
    name: 'skips-spike'
    description: 'Names newly skipped as zone-missing (create the hub zone, or set PEDNS_CREATE_ZONES) or unmapped (a service missing from the zone table: add a custom zone rule) from events and replays. Top skips with their endpoints: the pedns workbook, or infra/kql/top-skip-reasons.kql.'
    severity: 2
    query: loadTextContent('../kql/alert-skips-spike.kql')
    measure: 'skipped'
    dimension: 'reason'
    threshold: skipsThreshold
    window: 'PT1H'
    frequency: 'PT15M'
  }
  {
    name: 'reconcile-failures'
    description: 'A reconcile failed: its listings failed (status failed), or an endpoint failed after retries (status error). The function\'s exceptions and the reconcile done: log line say which.'
    severity: 1
    query: loadTextContent('../kql/alert-reconcile-failures.kql')
    measure: 'failed'
    dimension: 'status'
    threshold: 0
    window: 'PT1H'
    frequency: 'PT15M'
  }
  {
    name: 'scope-refusals'
    description: 'Events refused because their subscription is outside PEDNS_SOURCE_SUBSCRIPTIONS / PEDNS_SOURCE_MANAGEMENT_GROUPS: a spoke sends events the hub does not accept (add it to the scope, or remove its event subscription).'
    severity: 2
    query: loadTextContent('../kql/alert-scope-refusals.kql')
    measure: 'refused'
    dimension: 'subscription'
    threshold: 0
    window: 'PT1H'
    frequency: 'PT15M'
  }
]

// skipQueryValidation: the rules are created together with the Application Insights component, whose
// tables and columns the queries name (customMetrics, traces) may not exist yet, and a failed
// validation would fail the hub's first deployment. The property says whether the provided query is
// validated, false by default (Azure/bicep-types-az, generated/monitor/microsoft.insights/2023-12-01).
// tests/infra/test_kql.py checks the queries offline instead: shape, metric names, log-line patterns.
resource alert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in rules: {
  name: '${namePrefix}-${rule.name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'pedns: ${rule.name}'
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [
      insightsId
    ]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    autoMitigate: true
    // Not validated at creation: see above.
    skipQueryValidation: true
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Total'
          metricMeasureColumn: rule.measure
          dimensions: [
            {
              name: rule.dimension
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: rule.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: actions
  }
}]

output ruleIds array = [for (rule, i) in rules: alert[i].id]
