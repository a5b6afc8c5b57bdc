// Log Analytics workspace + workspace-based Application Insights for the pedns function app.
// Local (instrumentation-key) ingestion is disabled: the app sends telemetry with its managed
// identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING), which gets Monitoring Metrics Publisher here.
// The workspace takes Entra ID only as well (features.disableLocalAuth, "Disable Non-AAD based
// Auth" in its Bicep type, Azure/bicep-types-az microsoft.operationalinsights/2023-09-01): no
// shared key can send to it or read it; the component writes to it as Azure Monitor does.

@description('Azure region.')
param location string

@description('Name prefix for the resources.')
param namePrefix string

@description('Days to keep logs in the workspace.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

@description('Principal id of the function app identity (gets Monitoring Metrics Publisher on the component).')
param principalId string

param tags object = {}

// Monitoring Metrics Publisher (built-in): lets the identity send telemetry to an Entra-only component.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-log'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-appi'
  location: location
  kind: 'web'
  tags: tags
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, principalId, monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output connectionString string = insights.properties.ConnectionString
output insightsId string = insights.id
output workspaceId string = workspace.id
