// The pedns function app: Linux, Python 3.13, Flex Consumption, user-assigned identity only.
// Runtime and worker are set in functionAppConfig (Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME
// and the other legacy runtime settings in appSettings, and the site properties in its deprecation
// table, such as ftpsState: Functions app-settings reference, "Flex Consumption plan deprecations").
// Python 3.13: GA with the latest expected end of support (October 2029) in the Functions
// supported-languages table; its worker is azure-functions-runtime, which tests/worker runs.

@description('Azure region (one that offers Flex Consumption).')
param location string

@description('Function app name (globally unique host name).')
param name string

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('App settings as a name -> value object (AzureWebJobsStorage__*, APPLICATIONINSIGHTS_*, PEDNS_*).')
param appSettings object

@description('Subnet for outbound virtual network integration (delegated to Microsoft.App/environments). Empty: none.')
param subnetId string = ''

@description('Upper bound for scale-out (per function group). Kept low: pedns work is small and record-set writes are etag-guarded. Flex Consumption accepts 1 to 1000.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Spread the plan over availability zones (only in regions where Flex Consumption offers it).')
param zoneRedundant bool = false

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

param tags object = {}

var settingsList = [for setting in items(appSettings): {
  name: setting.key
  value: setting.value
}]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  //checkov:skip=CKV_AZURE_225: zone redundancy for Flex Consumption exists only in some regions (zoneRedundant param); a lost event is retried by Event Grid for 24 h and the scheduled reconcile repairs the rest.
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  //checkov:skip=CKV_AZURE_222: Event Grid delivers to the function over its public endpoint (AzureFunction destinations cannot reach private endpoints); the event trigger needs the Event Grid system key, POST /api/replay a function key.
  //checkov:skip=CKV_AZURE_17: Event Grid does not present client certificates; callers authenticate with function keys (or Entra ID, docs/deploy.md).
  //checkov:skip=CKV_AZURE_212: Flex Consumption scales per event from zero; a minimum instance count does not apply (Event Grid retries cover a failed instance).
  //checkov:skip=CKV_AZURE_213: Flex Consumption does not support App Service health checks; failures surface as Event Grid retries, dead letters and Application Insights.
  //checkov:skip=CKV_AZURE_78: Flex Consumption refuses siteConfig.ftpsState ("FTPS not supported", Functions app-settings reference, Flex Consumption deprecations); the plan has no FTP endpoint and basic-auth FTP publishing is off (ftpBasicAuth below).
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      appSettings: settingsList
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: '3.13'
      }
    }
  }
}

// No FTP or SCM basic-auth publishing: deploy with an Entra ID sign-in (az / func CLI). Flex
// Consumption has no FTP endpoint at all; the `ftp` policy is still a resource of every site in the
// Microsoft.Web API (its Bicep type has no plan restriction), and setting it is harmless. Not verified
// against Azure here: if a deployment refuses it, delete ftpBasicAuth (docs/deploy.md, "Checking").
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
