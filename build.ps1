#Requires -Version 5.1
<#
.SYNOPSIS
    Builds ExpressHa, runs the tests and packages the PowerShell module.
.DESCRIPTION
    Leaves the importable module in out/ExpressHa and ExpressHa.<version>.nupkg in out/packages, a package that
    Install-Module / Install-PSResource can install from a folder repository or publish to a feed.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -SkipTests -Configuration Debug
    Register-PSResourceRepository -Name local -Uri ./out/packages -Trusted; Install-PSResource ExpressHa -Repository local
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Release',
    [switch]$SkipTests,
    [string]$PackageOutput = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'packages')
)

$ErrorActionPreference = 'Stop'
Push-Location $PSScriptRoot
try {
    function Invoke-Step([string]$Name, [scriptblock]$Step) {
        Write-Host "==> $Name"
        & $Step
        if ($LASTEXITCODE -ne 0) { throw "$Name failed (exit code $LASTEXITCODE)" }
    }
    Invoke-Step 'build' { dotnet build ExpressHa.slnx -c $Configuration }
    if (-not $SkipTests) { Invoke-Step 'test' { dotnet test ExpressHa.slnx -c $Configuration --no-build } }
    Invoke-Step 'package' { dotnet pack build/ExpressHa.Package.csproj -c $Configuration -o $PackageOutput }
    Test-ModuleManifest ([System.IO.Path]::Combine($PSScriptRoot, 'out', 'ExpressHa', 'ExpressHa.psd1')) | Out-Null
    Get-ChildItem $PackageOutput -Filter 'ExpressHa.*.nupkg'
}
finally {
    Pop-Location
}
