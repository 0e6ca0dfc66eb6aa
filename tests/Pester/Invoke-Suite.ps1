<#
.SYNOPSIS
    Runs the Pester suite against a built module (out/ExpressHa); build.ps1 calls it in a fresh pwsh.
.DESCRIPTION
    The suite's files find the module under test through $env:EXPRESSHA_MODULE_DIR. Results go to -ResultPath as NUnit
    XML; the last line printed is "pester: <passed> passed, <failed> failed".
#>
param(
    [Parameter(Mandatory)] [string]$PesterPath,
    [Parameter(Mandatory)] [string]$ModuleDir,
    [Parameter(Mandatory)] [string]$ResultPath,
    [string]$Filter
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:EXPRESSHA_MODULE_DIR = $ModuleDir

$files = Get-ChildItem -Path $PSScriptRoot -Filter '*.Tests.ps1' | Where-Object { -not $Filter -or $_.Name -like "*$Filter*" }
$pesterConfig = New-PesterConfiguration
$pesterConfig.Run.Path = @($files.FullName)
$pesterConfig.Run.PassThru = $true
$pesterConfig.Output.Verbosity = 'Detailed'
$pesterConfig.TestResult.Enabled = $true
$pesterConfig.TestResult.OutputFormat = 'NUnitXml'
$pesterConfig.TestResult.OutputPath = $ResultPath
$result = Invoke-Pester -Configuration $pesterConfig

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"pester: $($result.PassedCount) passed, $failed failed"
if ($failed -gt 0 -or $result.PassedCount -eq 0) { exit 1 }
exit 0
