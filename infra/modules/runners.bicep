// The runners: a Linux VM scale set behind an internal load balancer, in the runners subnet.
// Why VMs and not Container Apps: the sandbox needs root, mount and cgroup v2 delegation and
// unprivileged user namespaces for bubblewrap; Container Apps (and their dynamic sessions) run
// unprivileged containers without CAP_SYS_ADMIN or a writable cgroup tree. A VM is its own
// hypervisor boundary, and the sandbox inside it isolates the submissions from each other.

param name string
param loadBalancerName string
param location string
param tags object

@description('Subnet of the VMs and of the load balancer\'s private frontend.')
param subnetId string

@description('VM size; slots default to one per vCPU.')
param vmSize string = 'Standard_D2s_v5'

@description('Number of runner VMs.')
@minValue(1)
@maxValue(100)
param instanceCount int = 2

@description('Sandbox slots (concurrent boxes) per VM (Sandbox__Slots).')
@minValue(1)
param slotsPerInstance int = 2

@description('TCP port of the runner API.')
param runnerPort int

@description('Admin user of the VMs (SSH key only; reachable only from inside the virtual network).')
param adminUsername string

@description('SSH public key of the admin user.')
param adminSshPublicKey string

@description('URL of the runner package blob (tar.gz of the published Rce.Runner).')
param packageUrl string

@description('Versionless Key Vault URI of the runner token secret.')
param tokenSecretUri string

var frontendName = 'runners'
var poolName = 'runners'
var probeName = 'runner-health'

resource lb 'Microsoft.Network/loadBalancers@2024-05-01' = {
  name: loadBalancerName
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    frontendIPConfigurations: [
      {
        name: frontendName
        properties: {
          subnet: { id: subnetId }
          privateIPAllocationMethod: 'Dynamic'
        }
      }
    ]
    backendAddressPools: [ { name: poolName } ]
    probes: [
      {
        name: probeName
        properties: {
          protocol: 'Http'
          port: runnerPort
          requestPath: '/health'
          intervalInSeconds: 5
          numberOfProbes: 2
        }
      }
    ]
    loadBalancingRules: [
      {
        name: 'runner-api'
        properties: {
          frontendIPConfiguration: { id: resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', loadBalancerName, frontendName) }
          backendAddressPool: { id: resourceId('Microsoft.Network/loadBalancers/backendAddressPools', loadBalancerName, poolName) }
          probe: { id: resourceId('Microsoft.Network/loadBalancers/probes', loadBalancerName, probeName) }
          protocol: 'Tcp'
          frontendPort: runnerPort
          backendPort: runnerPort
          // Long compiles and test runs hold a connection; the runner client's own timeout governs.
          idleTimeoutInMinutes: 30
          enableTcpReset: true
        }
      }
    ]
  }
}

var cloudInit = replace(replace(replace(replace(loadTextContent('../runner/cloud-init.yaml'),
  '__PACKAGE_URL__', packageUrl),
  '__TOKEN_SECRET_URL__', tokenSecretUri),
  '__RUNNER_PORT__', string(runnerPort)),
  '__SLOTS__', string(slotsPerInstance))

resource scaleSet 'Microsoft.Compute/virtualMachineScaleSets@2024-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: vmSize
    tier: 'Standard'
    capacity: instanceCount
  }
  identity: { type: 'SystemAssigned' }
  properties: {
    orchestrationMode: 'Uniform'
    overprovision: false
    upgradePolicy: { mode: 'Manual' }
    virtualMachineProfile: {
      osProfile: {
        computerNamePrefix: 'runner'
        adminUsername: adminUsername
        customData: base64(cloudInit)
        linuxConfiguration: {
          disablePasswordAuthentication: true
          ssh: {
            publicKeys: [
              {
                path: '/home/${adminUsername}/.ssh/authorized_keys'
                keyData: adminSshPublicKey
              }
            ]
          }
        }
      }
      storageProfile: {
        // Debian 12, as on the development machines: the same packages and toolchain versions.
        imageReference: {
          publisher: 'Debian'
          offer: 'debian-12'
          sku: '12-gen2'
          version: 'latest'
        }
        osDisk: {
          createOption: 'FromImage'
          caching: 'ReadWrite'
          managedDisk: { storageAccountType: 'Premium_LRS' }
        }
      }
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: 'runner-nic'
            properties: {
              primary: true
              ipConfigurations: [
                {
                  name: 'runner-ip'
                  properties: {
                    subnet: { id: subnetId }
                    loadBalancerBackendAddressPools: [ { id: lb.properties.backendAddressPools[0].id } ]
                  }
                }
              ]
            }
          }
        ]
      }
    }
  }
}

output principalId string = scaleSet.identity.principalId
output baseUrl string = 'http://${lb.properties.frontendIPConfigurations[0].properties.privateIPAddress}:${runnerPort}'
output totalSlots int = instanceCount * slotsPerInstance
