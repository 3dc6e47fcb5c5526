// The Functions app's settings, in one place. Deployed after access.bicep so that the identity
// already holds the roles the settings point at (Key Vault references are resolved when the
// settings change). This resource REPLACES all app settings: every setting the app needs is here
// or in extraSettings.
//
// Not here on purpose: FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION (Flex takes
// them from functionAppConfig.runtime), any storage connection string (shared keys are off).

@description('Name of the existing function app.')
param functionAppName string

@description('Object id of the app\'s system-assigned identity (the Redis user name under Entra authentication).')
param principalId string

param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

param applicationInsightsConnectionString string

@description('Base URL of the runners (the internal load balancer), e.g. http://10.40.1.4:5080.')
param runnerBaseUrl string

@description('Concurrent tests behind runnerBaseUrl (instances x slots), for the call timeout rule.')
@minValue(1)
param runnerSlots int

@description('Versionless Key Vault URI of the runner token secret.')
param runnerTokenSecretUri string

@description('Versionless Key Vault URI of the callback secret.')
param callbackSecretUri string

@description('Host name of the Redis cache.')
param redisHostName string

@description('How long one instance reuses an API-key lookup, in seconds (Auth__CacheSeconds).')
@minValue(0)
@maxValue(5)
param authCacheSeconds int

@description('Further settings (Api__*, Workflow__*, Callbacks__AllowedNetworks__N, ...); they win over the ones above.')
param extraSettings object = {}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var settings = {
  // Identity-based storage for the host (queue triggers, leases) and for the app (StorageOptions).
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
  Runners__Endpoints__0__BaseUrl: runnerBaseUrl
  Runners__Endpoints__0__Token: '@Microsoft.KeyVault(SecretUri=${runnerTokenSecretUri})'
  Runners__Endpoints__0__Slots: string(runnerSlots)
  Callbacks__Secret: '@Microsoft.KeyVault(SecretUri=${callbackSecretUri})'
  Redis__HostName: redisHostName
  Redis__UseEntraId: 'true'
  Redis__UserName: principalId
  Auth__CacheSeconds: string(authCacheSeconds)
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(settings, extraSettings)
}
