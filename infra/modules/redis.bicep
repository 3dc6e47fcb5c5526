// Azure Cache for Redis for rate limits, quotas and the in-flight set. Microsoft Entra
// authentication only: access keys are disabled, and identities get a data access policy
// (access.bicep) instead of a password. TLS only (port 6380).

param name string
param location string
param tags object

@description('Basic has no replica (and no SLA); Standard adds one. Premium is needed for VNet injection.')
@allowed([ 'Basic', 'Standard', 'Premium' ])
param skuName string = 'Standard'

@description('Cache size within the family (C0 = 250 MB, C1 = 1 GB, ...).')
@minValue(0)
@maxValue(6)
param capacity int = 1

resource cache 'Microsoft.Cache/redis@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: skuName
      family: skuName == 'Premium' ? 'P' : 'C'
      capacity: capacity
    }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    // Threat: an access key is a shared password for every client; with Entra only, each
    // identity is named, scoped by its access policy and revocable on its own.
    disableAccessKeyAuthentication: true
    redisConfiguration: {
      'aad-enabled': 'true'
    }
  }
}

output name string = cache.name
output hostName string = cache.properties.hostName
output sslPort int = cache.properties.sslPort
