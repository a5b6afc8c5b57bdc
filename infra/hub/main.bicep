// pedns hub: the function app and everything it runs on, plus its rights on the DNS zones.
//
//   az deployment group create -g <hub-rg> -f infra/hub/main.bicep -p infra/examples/hub.parameters.json
//
// Creates, in the target resource group: a user-assigned managed identity, a storage account
// (Entra ID only), Log Analytics + Application Insights, a Flex Consumption plan and the Linux
// Python 3.13 function app with the PEDNS_* settings, and (notifications) the app teams' Event Grid
// topic with pedns's EventGrid Data Sender role on it. In the DNS zones' resource group: pedns's
// custom role and its assignment, and optionally the zones and their hub links. Nothing in the
// spokes: see infra/spoke/main.bicep. docs/deploy.md walks through it.

targetScope = 'resourceGroup'

@description('Azure region for the hub resources (one that offers Flex Consumption).')
param location string = resourceGroup().location

@description('Short prefix for resource names.')
@minLength(2)
@maxLength(12)
param namePrefix string = 'pedns'

@description('Function app name (globally unique). Default: prefix + a hash of the resource group.')
param functionAppName string = '${namePrefix}-func-${uniqueString(resourceGroup().id)}'

@description('Storage account name (globally unique, 3-24 lower-case letters and digits).')
param storageAccountName string = take(toLower(replace('st${namePrefix}${uniqueString(resourceGroup().id)}', '-', '')), 24)

@description('Storage replication. ZRS where the region has availability zones.')
param storageSkuName string = 'Standard_ZRS'

@description('Subscription that holds the private DNS zones (PEDNS_DNS_SUBSCRIPTION_ID).')
param dnsSubscriptionId string = subscription().subscriptionId

@description('Existing resource group that holds the private DNS zones (PEDNS_DNS_RESOURCE_GROUP). pedns gets rights here and nowhere else in the hub.')
param dnsResourceGroupName string

@description('Subscriptions whose private endpoints pedns serves (PEDNS_SOURCE_SUBSCRIPTIONS); each also gets the spoke deployment. May be empty when sourceManagementGroupIds covers them; both empty: pedns accepts events from any subscription.')
param sourceSubscriptionIds array

@description('Management group ids (the name, not the display name) whose subscriptions pedns serves, at any depth and including ones added later (PEDNS_SOURCE_MANAGEMENT_GROUPS), next to sourceSubscriptionIds. pedns lists them with Resource Graph and sees only what its identity may read: assign the endpoint reader role at the group (infra/mg/endpoint-reader-role.bicep, functionPrincipalId) so later subscriptions are readable too. Each subscription still needs the spoke deployment to send events.')
param sourceManagementGroupIds array = []

@description('Entra tenant (PEDNS_TENANT_ID).')
param tenantId string = subscription().tenantId

@description('Azure cloud (PEDNS_CLOUD).')
@allowed([
  'AzureCloud'
  'AzureUSGovernment'
  'AzureChinaCloud'
])
param cloud string = environment().name

@description('Hub virtual networks the zones are linked to (PEDNS_HUB_VNET_IDS), as resource ids.')
param hubVnetIds array = []

@description('Let pedns create a missing zone and link it to the hub networks at run time (PEDNS_CREATE_ZONES). Adds zone write + link write to its role and virtualNetworks/join/action on each hub network.')
param createZonesAtRuntime bool = false

@description('List each hub zone\'s record sets in one request of all types instead of one per type (A, AAAA): the reconcile\'s record listings cost half (PEDNS_LIST_ALL_RECORD_TYPES). Assigns the pedns DNS record lister role (privateDnsZones/ALL/read), which lets it read every record type in the hub zones, not only A and AAAA.')
param listAllRecordTypes bool = false

@description('Zones this deployment creates and links to every hub network now, e.g. the catalogue\'s zones from `pedns zones --json`. Empty: create none. List only zones that do not exist yet, or give their existing links in existingZoneLinks: Azure allows one link per zone and network (docs/deploy.md, Step 0).')
param zoneNames array = []

@description('Links that exist already (under any name) for zones in zoneNames: zone name -> array of linked virtual network ids, lower case. The template creates no link for those pairs. docs/deploy.md, Step 0, builds it.')
param existingZoneLinks object = {}

@description('sync: create, update and delete records; upsert-only: never delete; dry-run: only log what would change (PEDNS_MODE). Start with dry-run to observe pedns before it writes.')
@allowed([
  'sync'
  'upsert-only'
  'dry-run'
])
param mode string = 'sync'

@description('Owner id stamped into the record sets pedns manages (PEDNS_OWNER_ID). One per pedns instance sharing the zones.')
param ownerId string = 'pedns'

@description('TTL in seconds of the A and AAAA record sets pedns writes (PEDNS_TTL).')
@minValue(1)
param ttl int = 10

@description('NCRONTAB schedule of the full reconcile (PEDNS_RECONCILE_SCHEDULE).')
param reconcileSchedule string = '0 */15 * * * *'

@description('Publish records of manual-approval endpoints still Pending (PEDNS_PUBLISH_PENDING).')
param publishPending bool = false

@description('Also manage endpoints that have a private DNS zone group (PEDNS_MANAGE_ZONE_GROUP_ENDPOINTS).')
param manageZoneGroupEndpoints bool = false

@description('IP ranges an endpoint address may come from (PEDNS_ALLOWED_IP_RANGES). Empty: the app\'s default private ranges.')
param allowedIpRanges array = []

@description('Further app settings (name -> string). The settings this template sets win over these.')
param additionalAppSettings object = {}

@description('Subnet for the function app\'s outbound virtual network integration; also the only network allowed into its storage. Empty: none.')
param functionSubnetId string = ''

@description('Maximum instances of the Flex Consumption app, per function group (the plan accepts 1 to 1000). A DNS writer needs few: every write is etag-guarded and paced to ARM\'s limits.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Spread the Flex Consumption plan over availability zones (regions that offer it).')
param zoneRedundant bool = false

@description('Days to keep logs.')
param logRetentionDays int = 30

@description('App teams\' notifications (docs/notifications.md): an Event Grid topic (CloudEvents, Entra ID only) pedns publishes to with EventGrid Data Sender, and PEDNS_NOTIFY_TOPIC_ENDPOINT. On by default: a topic without subscriptions costs only its publish operations, and app teams subscribe to it themselves.')
param notifications bool = true

@description('Example notification subscription: resource id of a storage account whose existing queue (notificationQueueName) receives every notification, delivered with the topic\'s own identity. Empty: none.')
param notificationQueueStorageAccountId string = ''

@description('Queue of the example notification subscription.')
param notificationQueueName string = 'pedns-notifications'

@description('The example subscription delivers only notifications that need someone to act (data.actionRequired).')
param notificationsActionRequiredOnly bool = false

@description('E-mail addresses pedns\'s alerts notify (an action group is created for them). Empty: see alertActionGroupId.')
param alertEmails array = []

@description('An existing action group for pedns\'s alerts (resource id), used when alertEmails is empty. Both empty: the alerts fire in the portal only.')
param alertActionGroupId string = ''

@description('Names newly skipped as zone-missing or unmapped, per reason, in an hour, above which the skips alert fires.')
@minValue(0)
param alertSkipsThreshold int = 5

param tags object = {
  workload: 'pedns'
}

var deadLetterContainerName = 'deadletter'
var indexTableName = 'pednsindex'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-id'
  location: location
  tags: tags
}

module storage '../modules/storage.bicep' = {
  name: 'pedns-storage'
  params: {
    location: location
    name: storageAccountName
    skuName: storageSkuName
    principalId: identity.properties.principalId
    allowedSubnetId: functionSubnetId
    deadLetterContainerName: deadLetterContainerName
    indexTableName: indexTableName
    tags: tags
  }
}

module monitoring '../modules/monitoring.bicep' = {
  name: 'pedns-monitoring'
  params: {
    location: location
    namePrefix: namePrefix
    retentionInDays: logRetentionDays
    principalId: identity.properties.principalId
    tags: tags
  }
}

var optionalSettings = empty(allowedIpRanges) ? {} : {
  PEDNS_ALLOWED_IP_RANGES: join(allowedIpRanges, ',')
}

// Every PEDNS_* name here must be in shared.settings.SETTING_NAMES (tests/infra checks it).
var pednsSettings = {
  PEDNS_CLOUD: cloud
  PEDNS_CREDENTIAL: 'managed-identity'
  PEDNS_MANAGED_IDENTITY_CLIENT_ID: identity.properties.clientId
  PEDNS_TENANT_ID: tenantId
  PEDNS_DNS_SUBSCRIPTION_ID: dnsSubscriptionId
  PEDNS_DNS_RESOURCE_GROUP: dnsResourceGroupName
  PEDNS_SOURCE_SUBSCRIPTIONS: join(sourceSubscriptionIds, ',')
  PEDNS_SOURCE_MANAGEMENT_GROUPS: join(sourceManagementGroupIds, ',')
  PEDNS_MODE: mode
  PEDNS_OWNER_ID: ownerId
  PEDNS_TTL: string(ttl)
  PEDNS_CREATE_ZONES: createZonesAtRuntime ? 'true' : 'false'
  PEDNS_LIST_ALL_RECORD_TYPES: listAllRecordTypes ? 'true' : 'false'
  PEDNS_HUB_VNET_IDS: join(hubVnetIds, ',')
  PEDNS_PUBLISH_PENDING: publishPending ? 'true' : 'false'
  PEDNS_MANAGE_ZONE_GROUP_ENDPOINTS: manageZoneGroupEndpoints ? 'true' : 'false'
  PEDNS_INDEX_TABLE_ENDPOINT: storage.outputs.tableEndpoint
  PEDNS_INDEX_TABLE_NAME: indexTableName
  PEDNS_RECONCILE_SCHEDULE: reconcileSchedule
  PEDNS_NOTIFY_TOPIC_ENDPOINT: notifications ? notify.outputs.endpoint : ''
}

// Identity-based host storage and telemetry: no keys or connection secrets in the settings. The
// service URIs come from the account's own endpoints, so they are right in every cloud and with custom
// DNS (`__accountName` works only in the public cloud with default DNS: Functions reference,
// "Connecting to host storage with an identity").
var hostSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__tableServiceUri: storage.outputs.tableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  // The Python worker configures the Azure Monitor OpenTelemetry distro and streams its telemetry
  // (with host.json "telemetryMode": "OpenTelemetry"): Learn, "Use OpenTelemetry with Azure Functions".
  PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY: 'true'
  AZURE_CLIENT_ID: identity.properties.clientId
}

// The workbook and the alert rules over pedns's metrics and logs (docs/observability.md).
module workbook '../modules/workbook.bicep' = {
  name: 'pedns-workbook'
  params: {
    location: location
    insightsId: monitoring.outputs.insightsId
    tags: tags
  }
}

module actionGroup '../modules/action-group.bicep' = if (!empty(alertEmails)) {
  name: 'pedns-action-group'
  params: {
    namePrefix: namePrefix
    emails: alertEmails
    tags: tags
  }
}

var alertActions = empty(alertEmails) ? alertActionGroupId : actionGroup.outputs.id

module alerts '../modules/alerts.bicep' = {
  name: 'pedns-alerts'
  params: {
    location: location
    namePrefix: namePrefix
    insightsId: monitoring.outputs.insightsId
    actionGroupId: alertActions
    skipsThreshold: alertSkipsThreshold
    tags: tags
  }
}

module notify '../modules/notifications.bicep' = if (notifications) {
  name: 'pedns-notifications'
  params: {
    location: location
    name: '${namePrefix}-notify-${uniqueString(resourceGroup().id)}'
    senderPrincipalId: identity.properties.principalId
    queueStorageAccountId: notificationQueueStorageAccountId
    queueName: notificationQueueName
    actionRequiredOnly: notificationsActionRequiredOnly
    tags: tags
  }
}

module app '../modules/functionapp.bicep' = {
  name: 'pedns-functionapp'
  params: {
    location: location
    name: functionAppName
    identityId: identity.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appSettings: union(additionalAppSettings, optionalSettings, hostSettings, pednsSettings)
    subnetId: functionSubnetId
    maximumInstanceCount: maximumInstanceCount
    zoneRedundant: zoneRedundant
    tags: tags
  }
}

// Nested deployments outside the hub's resource group carry the hub's hash in their name: hubs that
// share a DNS zones or network resource group would otherwise overwrite each other's deployment
// record there, and two running at once would collide on the name.
var hubSuffix = uniqueString(resourceGroup().id)

// pedns's rights on the zones: custom roles on the DNS zones' resource group only.
module dnsAccess '../modules/dns-access.bicep' = {
  name: 'pedns-dns-access-${hubSuffix}'
  scope: resourceGroup(dnsSubscriptionId, dnsResourceGroupName)
  params: {
    principalId: identity.properties.principalId
    allowZoneCreation: createZonesAtRuntime
    allowListAllRecordTypes: listAllRecordTypes
  }
}

// Linking a zone it creates needs join/action on each hub network: granted only with zone creation.
@batchSize(1)
module vnetJoinAccess '../modules/vnet-join-access.bicep' = [for (vnetId, i) in (createZonesAtRuntime ? hubVnetIds : []): {
  name: 'pedns-vnet-join-${hubSuffix}-${i}'
  scope: resourceGroup(split(vnetId, '/')[2], split(vnetId, '/')[4])
  params: {
    vnetName: split(vnetId, '/')[8]
    principalId: identity.properties.principalId
  }
}]

module zones '../modules/dns-zones.bicep' = if (!empty(zoneNames)) {
  name: 'pedns-dns-zones-${hubSuffix}'
  scope: resourceGroup(dnsSubscriptionId, dnsResourceGroupName)
  params: {
    zoneNames: zoneNames
    hubVnetIds: hubVnetIds
    existingLinks: existingZoneLinks
    tags: tags
  }
}

output functionAppId string = app.outputs.id
output functionAppName string = app.outputs.name
output functionAppHostName string = app.outputs.defaultHostName
output identityId string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
output storageAccountId string = storage.outputs.id
output deadLetterContainerName string = storage.outputs.deadLetterContainerName
output indexTableEndpoint string = storage.outputs.tableEndpoint
output dnsRoleDefinitionId string = dnsAccess.outputs.roleDefinitionId
output workbookId string = workbook.outputs.id
@description('The action group of pedns\'s alerts (empty: none); a spoke\'s dead-letter alert (modules/deadletter-alert.bicep) can notify it too.')
output alertActionGroupId string = alertActions
output notificationTopicId string = notifications ? notify.outputs.topicId : ''
output notificationTopicEndpoint string = notifications ? notify.outputs.endpoint : ''

@description('Paste into a spoke parameters file (infra/spoke/main.bicep).')
output spokeParameters object = {
  functionAppId: app.outputs.id
  functionPrincipalId: identity.properties.principalId
  deadLetterStorageAccountId: storage.outputs.id
  deadLetterContainerName: storage.outputs.deadLetterContainerName
}
