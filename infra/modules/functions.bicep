// The Functions app on Flex Consumption (Linux), runtime "custom": the published package is a
// custom handler (host.json + one folder per function + the self-contained Rce.Functions
// executable), so no language worker is needed on the image. System-assigned identity for
// storage, Key Vault, Redis and Application Insights. App settings are a separate module
// (functions-settings.bicep), deployed after the role assignments that the settings rely on.

param name string
param planName string
param location string
param tags object

@description('azd service name: azd deploys to the resource carrying this tag.')
param serviceName string

@description('Blob endpoint of the storage account that holds the deployment container.')
param blobEndpoint string

@description('Blob container of the deployment package.')
param deploymentContainerName string

@description('Subnet for outbound virtual network integration (reaches the runners).')
param subnetId string

@description('Instance memory of the Flex plan, in MB.')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int = 2048

@description('Upper bound of instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      // "custom" = custom handler: the host starts customHandler.description.defaultExecutablePath.
      // Confirm the region offers it: az functionapp list-flexconsumption-runtimes -l <region>.
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }
}

output name string = site.name
output principalId string = site.identity.principalId
output defaultHostName string = site.properties.defaultHostName
