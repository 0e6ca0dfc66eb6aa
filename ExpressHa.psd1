@{
    RootModule           = 'ExpressHa.Cmdlets.dll'
    # Loaded before the root module: resolves ExpressHa.Core and YamlDotNet from dependencies/ (a private load context on pwsh 7).
    NestedModules        = @('ExpressHa.ModuleLoader.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0e8f52-8a51-4b53-9a39-6f1c2d7e4a10'
    Author               = 'ExpressHa developers'
    CompanyName          = 'ExpressHa'
    Copyright            = '(c) ExpressHa developers. MIT License.'
    Description          = 'ExpressHa: an HA cluster for Linux servers on AWS and on-premises (failover groups, heartbeats, fencing, AWS IP and Route 53 failover, data mirroring), authored and operated from PowerShell.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Core', 'Desktop')
    FormatsToProcess     = @('ExpressHa.Config.Format.ps1xml', 'ExpressHa.Schema.Format.ps1xml', 'ExpressHa.Status.Format.ps1xml', 'ExpressHa.Mirror.Format.ps1xml', 'ExpressHa.Aws.Format.ps1xml', 'ExpressHa.Operations.Format.ps1xml', 'ExpressHa.OperationTests.Format.ps1xml')
    TypesToProcess       = @('ExpressHa.Types.ps1xml')
    CmdletsToExport      = @(
        'New-HaCluster', 'Set-HaCluster', 'Test-HaClusterConfig', 'Export-HaClusterConfig', 'Import-HaClusterConfig',
        'Add-HaNode', 'Set-HaNode', 'Remove-HaNode', 'Get-HaNode',
        'Add-HaGroup', 'Set-HaGroup', 'Remove-HaGroup', 'Get-HaGroup',
        'Add-HaResource', 'Set-HaResource', 'Remove-HaResource', 'Get-HaResource',
        'Add-HaMonitor', 'Set-HaMonitor', 'Remove-HaMonitor', 'Get-HaMonitor',
        'Get-HaTypeSchema',
        'Connect-HaCluster', 'Disconnect-HaCluster', 'Publish-HaClusterConfig', 'Get-HaClusterStatus', 'Get-HaAlertLog',
        'Get-HaClusterConfig', 'Compare-HaClusterConfig', 'Save-HaClusterLog',
        'Start-HaGroup', 'Stop-HaGroup', 'Move-HaGroup', 'Start-HaCluster', 'Stop-HaCluster',
        'Suspend-HaNode', 'Resume-HaNode', 'Suspend-HaMonitor', 'Resume-HaMonitor',
        'Get-HaAwsEnvironment',
        'Get-HaMirror', 'Suspend-HaMirror', 'Resume-HaMirror', 'Repair-HaMirror', 'Backup-HaMirror', 'Restore-HaMirror', 'New-HaMirrorKey',
        'Invoke-HaFailoverDrill'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('HA', 'HighAvailability', 'Cluster', 'Failover', 'AWS', 'Route53', 'Mirror', 'Linux', 'PSEdition_Core', 'PSEdition_Desktop')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ProjectUri   = 'https://github.com/expressha/expressha'
            ReleaseNotes = @'
0.1.0: authoring cmdlets (New-HaCluster, Add-HaNode/Group/Resource/Monitor, Test-/Export-/Import-HaClusterConfig) for
the expressha/v1 YAML; operating cmdlets against the expresshad management API (Connect-HaCluster, Get-HaClusterStatus,
Start/Stop/Move-HaGroup, Publish-HaClusterConfig with a -WhatIf diff, Get-HaAlertLog); mirror cmdlets (Get-, Suspend-,
Resume-, Repair-, Backup-, Restore-HaMirror, New-HaMirrorKey). On PowerShell 7 the module's YamlDotNet loads in a private
load context, so it does not clash with another module's copy.
'@
        }
    }
}
