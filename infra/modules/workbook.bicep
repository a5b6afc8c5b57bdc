// The pedns workbook in Azure Monitor: records written, skips and the endpoints behind them, event
// age, handling time, drift per reconcile, ARM throttling. Every query is a file under infra/kql/
// (tests/infra/test_kql.py checks them against shared/core/instruments.py). docs/observability.md says
// what each chart means.

@description('Azure region.')
param location string

@description('Resource id of the Application Insights component the queries run against.')
param insightsId string

@description('Display name of the workbook.')
param displayName string = 'pedns: DNS records for private endpoints'

param tags object = {}

// A KQL item of the workbook: `query` from infra/kql/, drawn as `visualization`.
var charts = [
  {
    name: 'records-changed'
    title: 'Record set writes by action (create, update, delete, claim)'
    query: loadTextContent('../kql/records-changed.kql')
    visualization: 'timechart'
  }
  {
    name: 'failovers'
    title: 'Fail-overs of shared names, by zone'
    query: loadTextContent('../kql/failovers.kql')
    visualization: 'barchart'
  }
  {
    name: 'skips-over-time'
    title: 'Names skipped, by reason (and door)'
    query: loadTextContent('../kql/skips-over-time.kql')
    visualization: 'timechart'
  }
  {
    name: 'top-skip-reasons'
    title: 'Top skips with their endpoints'
    query: loadTextContent('../kql/top-skip-reasons.kql')
    visualization: 'table'
  }
  {
    name: 'event-age'
    title: 'Event age at handling, seconds (p50, p95, p99)'
    query: loadTextContent('../kql/event-age.kql')
    visualization: 'timechart'
  }
  {
    name: 'handling-duration'
    title: 'Handling time by door, seconds, and failed handlings'
    query: loadTextContent('../kql/handling-duration.kql')
    visualization: 'table'
  }
  {
    name: 'reconcile-drift'
    title: 'Drift per reconcile: endpoints confirmed with ARM, writes, seconds, failures'
    query: loadTextContent('../kql/reconcile-drift.kql')
    visualization: 'table'
  }
  {
    name: 'throttling'
    title: 'ARM throttling: 429 answers and retries'
    query: loadTextContent('../kql/throttling.kql')
    visualization: 'timechart'
  }
  {
    name: 'scope-refusals'
    title: 'Events refused for scope, by subscription'
    query: loadTextContent('../kql/scope-refusals.kql')
    visualization: 'table'
  }
]

var header = {
  type: 1
  name: 'header'
  content: {
    json: '## pedns\nWhat pedns wrote to the hub\'s private DNS zones, what it did not publish and why, how fast, and how hard ARM pushed back. Metrics come from the app\'s OpenTelemetry instruments (customMetrics), endpoint ids from its log lines (traces). See docs/observability.md in the repository.'
  }
}

var timeRange = {
  type: 9
  name: 'parameters'
  content: {
    version: 'KqlParameterItem/1.0'
    parameters: [
      {
        id: 'time-range'
        name: 'TimeRange'
        type: 4
        isRequired: true
        value: {
          durationMs: 86400000
        }
        typeSettings: {
          selectableValues: [
            {
              durationMs: 3600000
            }
            {
              durationMs: 86400000
            }
            {
              durationMs: 604800000
            }
            {
              durationMs: 2592000000
            }
          ]
        }
      }
    ]
  }
}

var items = [for chart in charts: {
  type: 3
  name: chart.name
  content: {
    version: 'KqlItem/1.0'
    title: chart.title
    query: chart.query
    size: 0
    queryType: 0
    resourceType: 'microsoft.insights/components'
    timeContextFromParameter: 'TimeRange'
    visualization: chart.visualization
  }
}]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, insightsId, 'pedns-workbook')
  location: location
  kind: 'shared'
  tags: tags
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: insightsId
    serializedData: string({
      version: 'Notebook/1.0'
      items: concat([header, timeRange], items)
      fallbackResourceIds: [
        insightsId
      ]
      '$schema': 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json'
    })
  }
}

output id string = workbook.id
