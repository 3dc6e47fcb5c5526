// One virtual network, two subnets: the Functions app's outbound integration (delegated to
// Microsoft.App/environments, as Flex Consumption requires) and the runners. Runners have no
// public address: only the app subnet reaches their port. A NAT gateway gives both subnets one
// stable outbound address (package mirrors for the runners; callbacks from the app, which
// receivers can allow-list).

param vnetName string
param natGatewayName string
param natPublicIpName string
param runnersNsgName string
param location string
param tags object

@description('Address space of the virtual network.')
param addressPrefix string = '10.40.0.0/16'

@description('Subnet of the Functions app integration.')
param appSubnetPrefix string = '10.40.0.0/24'

@description('Subnet of the runner VMs and their internal load balancer.')
param runnersSubnetPrefix string = '10.40.1.0/24'

@description('TCP port the runners listen on.')
param runnerPort int

resource natIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: natPublicIpName
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource nat 'Microsoft.Network/natGateways@2024-05-01' = {
  name: natGatewayName
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    idleTimeoutInMinutes: 4
    publicIpAddresses: [ { id: natIp.id } ]
  }
}

resource runnersNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {
  name: runnersNsgName
  location: location
  tags: tags
  properties: {
    securityRules: [
      {
        name: 'allow-runner-from-app'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: appSubnetPrefix
          sourcePortRange: '*'
          destinationAddressPrefix: runnersSubnetPrefix
          destinationPortRange: string(runnerPort)
        }
      }
      {
        name: 'allow-load-balancer-probe'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: 'AzureLoadBalancer'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: string(runnerPort)
        }
      }
      {
        // Threat: a compromised neighbour in the virtual network probing the runner (or SSH):
        // only the app subnet may open connections to runners.
        name: 'deny-other-inbound'
        properties: {
          priority: 4000
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: '*'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [ addressPrefix ] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          natGateway: { id: nat.id }
          delegations: [
            {
              name: 'flex-consumption'
              properties: { serviceName: 'Microsoft.App/environments' }
            }
          ]
        }
      }
      {
        name: 'runners'
        properties: {
          addressPrefix: runnersSubnetPrefix
          natGateway: { id: nat.id }
          networkSecurityGroup: { id: runnersNsg.id }
          defaultOutboundAccess: false
        }
      }
    ]
  }
}

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app')
output runnersSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'runners')
output outboundIpAddress string = natIp.properties.ipAddress
