// The function app's storage account: host state (AzureWebJobsStorage), the Flex Consumption
// deployment package, the pedns claim index table (and the reconcile's lease in it), the queue of the
// reconcile's continuations and the container for dead-lettered events.
// Entra ID only: shared keys are disabled, so there are no connection strings anywhere.

@description('Azure region.')
param location string

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Replication. ZRS where the region has availability zones; LRS otherwise.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param skuName string = 'Standard_ZRS'

@description('Principal id of the function app identity.')
param principalId string

@description('Subnet of the function app\'s virtual network integration. Empty: no network rules (public endpoint, Entra ID only).')
param allowedSubnetId string = ''

@description('Container for the Flex Consumption deployment package.')
param deploymentContainerName string = 'app-package'

@description('Container that receives events Event Grid could not deliver.')
param deadLetterContainerName string = 'deadletter'

@description('Table that holds pedns\'s claim index (PEDNS_INDEX_TABLE_NAME).')
param indexTableName string = 'pednsindex'

@description('Queue that starts the continuation of a reconcile its time budget ended (functions/reconcile.py: QUEUE).')
param reconcileQueueName string = 'pedns-reconcile'

@description('Days to keep soft-deleted blobs and containers.')
param softDeleteDays int = 7

param tags object = {}

// Built-in data roles (GUIDs are the same in every tenant).
// Storage Blob Data Owner: what the Functions host needs for identity-based AzureWebJobsStorage
// (timer and singleton leases, keys, the deployment package).
var blobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Storage Table Data Contributor: pedns's claim index (PEDNS_INDEX_TABLE_ENDPOINT).
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Storage Queue Data Contributor: the reconcile's continuation queue, read by its queue trigger and written
// by its output binding (Learn, "Azure Queue storage trigger": Reader + Message Processor for the trigger,
// Contributor + Message Sender for the output), and the poison queue the host creates beside it. Scoped to
// the queue service: the host names the poison queue itself.
var queueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

var networkRules = empty(allowedSubnetId) ? {
  defaultAction: 'Allow'
  bypass: 'AzureServices'
} : {
  defaultAction: 'Deny'
  bypass: 'AzureServices'
  virtualNetworkRules: [
    {
      id: allowedSubnetId
      action: 'Allow'
    }
  ]
}

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  //checkov:skip=CKV_AZURE_35: Deny is set when functionSubnetId is given; without VNet integration the Flex Consumption app reaches its storage over the public endpoint (Entra ID only, shared keys off, trusted services bypass for Event Grid dead-lettering).
  //checkov:skip=CKV_AZURE_59: same as CKV_AZURE_35: the public endpoint stays on for an app without VNet integration; every request needs an Entra ID token (allowSharedKeyAccess false).
  //checkov:skip=CKV_AZURE_206: ZRS by default; nothing here is irreplaceable (host state, a deployment package, dead letters, a claim index the reconcile rebuilds from record-set stamps). storageSkuName accepts GZRS/RAGZRS.
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: networkRules
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
        }
        table: {
          enabled: true
        }
      }
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource indexTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tables
  name: indexTableName
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource reconcileQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queues
  name: reconcileQueueName
}

resource hostBlobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, blobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource indexTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, tableDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource continuationQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, principalId, queueDataContributor)
  scope: queues
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', queueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainerName}'
output deadLetterContainerName string = deadLetterContainer.name
