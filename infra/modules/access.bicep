// Who may do what, data plane only, least privilege per identity:
// - the Functions app (system-assigned): blobs, queues, tables of its account; the two secrets it
//   references; telemetry ingestion; Redis through a data access policy;
// - the runner VMs (system-assigned): read the runner package container and the runner token;
// - the person running azd (optional): write the runner package container (postdeploy hook).

param storageAccountName string
param runnerPackageContainerName string
param keyVaultName string
param runnerTokenSecretName string
param callbackSecretName string
param applicationInsightsName string
param redisName string

@description('Object id of the Functions app identity.')
param appPrincipalId string

@description('Object id of the runner scale set identity.')
param runnerPrincipalId string

@description('Object id of the deploying user or service principal; empty: no grant.')
param deployerPrincipalId string = ''

@allowed([ 'User', 'ServicePrincipal', 'Group' ])
param deployerPrincipalType string = 'User'

// Built-in role definition ids (stable across clouds).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource runnerContainer 'containers' existing = {
      name: runnerPackageContainerName
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName

  resource runnerToken 'secrets' existing = {
    name: runnerTokenSecretName
  }

  resource callbackSecret 'secrets' existing = {
    name: callbackSecretName
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource redis 'Microsoft.Cache/redis@2024-11-01' existing = {
  name: redisName
}

// Blob Data Owner (not Contributor): the Functions host manages blob leases and the Flex
// deployment container, and the app creates its containers.
var appStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in appStorageRoles: {
  name: guid(storage.id, appPrincipalId, role)
  scope: storage
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

resource appRunnerToken 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault::runnerToken.id, appPrincipalId, roles.keyVaultSecretsUser)
  scope: vault::runnerToken
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource appCallbackSecret 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault::callbackSecret.id, appPrincipalId, roles.keyVaultSecretsUser)
  scope: vault::callbackSecret
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// "Data Contributor": every command but the @dangerous category (FLUSHALL, KEYS, CONFIG, ...);
// scripts (EVAL/EVALSHA) used by the rate limiter are allowed.
resource appRedis 'Microsoft.Cache/redis/accessPolicyAssignments@2024-11-01' = {
  parent: redis
  name: 'rcefunctionsapp'
  properties: {
    accessPolicyName: 'Data Contributor'
    objectId: appPrincipalId
    objectIdAlias: 'rce-functions-app'
  }
}

resource runnerPackage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::runnerContainer.id, runnerPrincipalId, roles.storageBlobDataReader)
  scope: storage::blobService::runnerContainer
  properties: {
    principalId: runnerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}

resource runnerToken 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault::runnerToken.id, runnerPrincipalId, roles.keyVaultSecretsUser)
  scope: vault::runnerToken
  properties: {
    principalId: runnerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource deployerRunnerPackage 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage::blobService::runnerContainer.id, deployerPrincipalId, roles.storageBlobDataContributor)
  scope: storage::blobService::runnerContainer
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}
