// RceFunctions on Azure (azd up): composes the modules, one concern each. Subscription scope:
// azd creates the resource group "rg-<environment>".
//
//   Functions app (Flex Consumption, custom handler) ──VNet──▶ internal LB ──▶ runner VMs (sandbox)
//        │ identity: Storage (Blobs/Queues/Tables), Key Vault (2 secrets), Redis (Entra), App Insights
//
// Names come from abbreviations.json + a token unique to subscription, environment and location.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; prefixes the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Region of every resource (Flex Consumption must be offered there).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the user or service principal running azd (AZURE_PRINCIPAL_ID): may upload the runner package. Empty: no grant.')
param principalId string = ''

@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param principalType string = 'User'

@secure()
@minLength(32)
@description('Bearer token shared by the Functions app and the runners. Generate one: openssl rand -hex 32.')
param runnerToken string

@secure()
@minLength(32)
@description('HMAC secret of completion callbacks for the default tenant. Generate one: openssl rand -hex 32.')
param callbackSecret string

@description('SSH public key of the runner VMs\' admin user (reachable only from inside the virtual network).')
param runnerSshPublicKey string

@description('Runner VM size.')
param runnerVmSize string = 'Standard_D2s_v5'

@minValue(1)
@maxValue(100)
@description('Number of runner VMs.')
param runnerInstanceCount int = 2

@minValue(1)
@description('Sandbox slots per runner VM (one per vCPU is the default on the development machines).')
param runnerSlotsPerInstance int = 2

@allowed([ 'Basic', 'Standard', 'Premium' ])
param redisSku string = 'Standard'

@minValue(0)
@maxValue(5)
@description('How long one app instance reuses an API-key lookup, in seconds (Auth__CacheSeconds; a revoked key is refused within it).')
param authCacheSeconds int = 2

@description('Further app settings of the Functions app (Api__*, Workflow__*, ...), as an object.')
param functionsExtraSettings object = {}

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var runnerPort = 5080
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
// Flex requires the deployment container to exist; one per app.
var deploymentContainerName = 'app-package-${resourceToken}'
var runnerPackageContainerName = 'runner-package'
var runnerPackageBlobName = 'rce-runner-linux-x64.tar.gz'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    runnerPackageContainerName: runnerPackageContainerName
  }
}

module network 'modules/network.bicep' = {
  name: 'network'
  scope: rg
  params: {
    vnetName: '${abbrs.networkVirtualNetworks}${resourceToken}'
    natGatewayName: '${abbrs.networkNatGateways}${resourceToken}'
    natPublicIpName: '${abbrs.networkPublicIPAddresses}nat-${resourceToken}'
    runnersNsgName: '${abbrs.networkNetworkSecurityGroups}runners-${resourceToken}'
    location: location
    tags: tags
    runnerPort: runnerPort
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    runnerToken: runnerToken
    callbackSecret: callbackSecret
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  scope: rg
  params: {
    name: '${abbrs.cacheRedis}${resourceToken}'
    location: location
    tags: tags
    skuName: redisSku
  }
}

module runners 'modules/runners.bicep' = {
  name: 'runners'
  scope: rg
  params: {
    name: '${abbrs.computeVirtualMachineScaleSets}runners-${resourceToken}'
    loadBalancerName: '${abbrs.networkLoadBalancersInternal}runners-${resourceToken}'
    location: location
    tags: tags
    subnetId: network.outputs.runnersSubnetId
    vmSize: runnerVmSize
    instanceCount: runnerInstanceCount
    slotsPerInstance: runnerSlotsPerInstance
    runnerPort: runnerPort
    adminUsername: 'rceadmin'
    adminSshPublicKey: runnerSshPublicKey
    packageUrl: '${storage.outputs.blobEndpoint}${runnerPackageContainerName}/${runnerPackageBlobName}'
    tokenSecretUri: vault.outputs.runnerTokenSecretUri
  }
}

module functions 'modules/functions.bicep' = {
  name: 'functions'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'functions'
    blobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    subnetId: network.outputs.appSubnetId
  }
}

module access 'modules/access.bicep' = {
  name: 'access'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    runnerPackageContainerName: runnerPackageContainerName
    keyVaultName: vault.outputs.name
    runnerTokenSecretName: 'runner-token'
    callbackSecretName: 'callback-secret'
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    redisName: redis.outputs.name
    appPrincipalId: functions.outputs.principalId
    runnerPrincipalId: runners.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module functionsSettings 'modules/functions-settings.bicep' = {
  name: 'functions-settings'
  scope: rg
  dependsOn: [ access ]
  params: {
    functionAppName: functions.outputs.name
    principalId: functions.outputs.principalId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    runnerBaseUrl: runners.outputs.baseUrl
    runnerSlots: runners.outputs.totalSlots
    runnerTokenSecretUri: vault.outputs.runnerTokenSecretUri
    callbackSecretUri: vault.outputs.callbackSecretUri
    redisHostName: redis.outputs.hostName
    authCacheSeconds: authCacheSeconds
    extraSettings: functionsExtraSettings
  }
}

// UPPER_SNAKE outputs land in the azd environment (.azure/<env>/.env) for hooks and later commands.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_FUNCTIONS_NAME string = functions.outputs.name
output SERVICE_FUNCTIONS_URI string = 'https://${functions.outputs.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output RUNNER_PACKAGE_URL string = '${storage.outputs.blobEndpoint}${runnerPackageContainerName}/${runnerPackageBlobName}'
output RUNNER_BASE_URL string = runners.outputs.baseUrl
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output REDIS_HOST_NAME string = redis.outputs.hostName
output OUTBOUND_IP_ADDRESS string = network.outputs.outboundIpAddress
