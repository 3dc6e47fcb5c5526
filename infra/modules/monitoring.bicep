// Log Analytics + workspace-based Application Insights. Local (key) authentication is off: the
// Functions host sends telemetry with its managed identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING
// = Authorization=AAD) and needs the Monitoring Metrics Publisher role (access.bicep).

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights component name.')
param applicationInsightsName string

param location string
param tags object

@description('Days of retention in the workspace.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = insights.name
// Not a secret: with local authentication disabled, the ingestion key alone cannot send telemetry.
output connectionString string = insights.properties.ConnectionString
