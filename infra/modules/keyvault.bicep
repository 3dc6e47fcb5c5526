// Secrets of the deployment: the runners' shared bearer token and the default callback-signing
// secret. Both come in as secure parameters (never in the repository); the Functions app reads
// them through Key Vault references, the runner VMs through their managed identity at boot.
// Authorization is Azure RBAC only (access.bicep grants Key Vault Secrets User).

param name string
param location string
param tags object

@secure()
@minLength(32)
@description('Bearer token shared by the Functions app and the runners (Runner__Token).')
param runnerToken string

@secure()
@minLength(32)
@description('HMAC secret of completion callbacks for the default tenant (Callbacks__Secret).')
param callbackSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource runnerTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'runner-token'
  properties: { value: runnerToken }
}

resource callbackSecretSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'callback-secret'
  properties: { value: callbackSecret }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
// Versionless URIs: a rotated secret is picked up without redeploying (Key Vault references re-read it).
output runnerTokenSecretUri string = runnerTokenSecret.properties.secretUri
output callbackSecretUri string = callbackSecretSecret.properties.secretUri
output runnerTokenSecretName string = runnerTokenSecret.name
