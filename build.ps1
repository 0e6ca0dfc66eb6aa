#Requires -Version 5.1
<#
.SYNOPSIS
    Builds ExpressHa, runs its tests (xunit and Pester) and packages the PowerShell module.
.DESCRIPTION
    Tasks, run in the order given (the default is Build, Test, Pack):
      Build    dotnet build of the solution; leaves the importable module in out/ExpressHa.
      Test     xunit (dotnet test) and the Pester suite (tests/Pester, real pwsh) against out/ExpressHa; Pester's
               results go to out/pester-results.xml (NUnit XML). The last line is the summary of both.
      Unit     only the unit tests: xunit without the Process, Namespace, Mirror and Chaos categories (no root, no
               child processes, no tools; about a minute). The rule for each category is in tests/ExpressHa.TestSupport.
      Pester   only the Pester suite (after a Build).
      Pack     ExpressHa.<version>.nupkg in out/packages, a package Install-PSResource installs from a folder
               repository or a feed.
      Install  copies out/ExpressHa into the current user's module path (<path>/ExpressHa/<version>).
      Release  (Linux) the service published self-contained for linux-x64 as one file, laid out as installed
               (usr/lib/expressha, usr/bin, usr/lib/systemd/system, etc/expressha, var/lib/expressha) in
               out/packages/expresshad-<version>-linux-x64.tar.gz, plus expresshad_<version>_amd64.deb when dpkg-deb
               is there (not with -NoDeb). The plain commands are in README.md (Release artifacts).
    Runs in pwsh 7 (the repository pins it: dotnet tool restore; dotnet pwsh ./build.ps1) and Windows PowerShell 5.1.
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Test -PesterFilter Module
.EXAMPLE
    ./build.ps1 -Task Build, Install; Import-Module ExpressHa
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Unit', 'Pester', 'Pack', 'Install', 'Release')]
    [string[]]$Task = @('Build', 'Test', 'Pack'),
    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Debug',
    # Runs only the Pester files whose name contains this text.
    [string]$PesterFilter,
    [string]$PackageOutput = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'packages'),
    # Release without the .deb (the tarball test does not need it).
    [switch]$NoDeb
)

$ErrorActionPreference = 'Stop'
$moduleDir = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'ExpressHa')
$results = [ordered]@{}
$script:failedTests = @()

function Invoke-Native([string]$Name, [scriptblock]$Command) {
    Write-Host "==> $Name"
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$Name failed (exit code $LASTEXITCODE)" }
}

# The running PowerShell's executable: pwsh from the dotnet tool or an install, powershell.exe for Windows PowerShell.
function Get-PwshPath {
    foreach ($name in 'pwsh', 'pwsh.exe', 'powershell.exe') {
        $candidate = [System.IO.Path]::Combine($PSHOME, $name)
        if (Test-Path $candidate -PathType Leaf) { return $candidate }
    }
    throw "no PowerShell executable in $PSHOME"
}

function Get-PesterModule {
    Invoke-Native 'restore Pester' { dotnet restore tests/Pester/ExpressHa.Pester.csproj --verbosity quiet }
    $cache = (dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $psd1 = [System.IO.Path]::Combine($cache.Trim(), 'pester', '5.7.1', 'tools', 'Pester.psd1')
    if (-not (Test-Path $psd1)) { throw "Pester 5.7.1 is not in the NuGet cache ($psd1) after the restore." }
    $psd1
}

# The unit tests: every xunit test without a category (tests/ExpressHa.TestSupport/TestCategory.cs).
$unitFilter = 'Category!=Process&Category!=Namespace&Category!=Mirror&Category!=Chaos'

function Invoke-XunitTask([string]$Filter) {
    Write-Host "==> xunit (dotnet test$(if ($Filter) { " --filter $Filter" }))"
    $testArgs = @('test', 'ExpressHa.slnx', '-c', $Configuration)
    if ($Filter) { $testArgs += @('--filter', $Filter) }
    $log = dotnet @testArgs 2>&1 | ForEach-Object { Write-Host $_; "$_" }
    $exit = $LASTEXITCODE
    $passed = 0; $failed = 0
    for ($i = 0; $i -lt $log.Count; $i++) {
        $line = $log[$i]
        if ($line -match ' - Failed:\s+(\d+), Passed:\s+(\d+)') { $failed += [int]$Matches[1]; $passed += [int]$Matches[2] }
        # A failure's name and the first lines of its message, repeated after the summary: a CI log is often read from its end.
        if ($line -match '^\s*Failed \S+ \[') {
            $script:failedTests += @($log[$i..([Math]::Min($i + 8, $log.Count - 1))] | ForEach-Object { "failed test: $_" })
        }
    }
    $results['xunit'] = "$passed passed, $failed failed"
    if ($exit -ne 0) { throw "xunit failed (exit code $exit): $passed passed, $failed failed" }
}

function Invoke-PesterTask {
    $pester = Get-PesterModule
    # Pester runs in its own pwsh so that the suite sees a session without this script's state.
    $runner = [System.IO.Path]::Combine($PSScriptRoot, 'tests', 'Pester', 'Invoke-Suite.ps1')
    $out = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'pester-results.xml')
    $pwsh = Get-PwshPath
    Write-Host '==> Pester'
    $log = & $pwsh -NoProfile -NonInteractive -File $runner -PesterPath $pester -ModuleDir $moduleDir -ResultPath $out -Filter "$PesterFilter" 2>&1 |
        ForEach-Object { Write-Host $_; "$_" }
    $exit = $LASTEXITCODE
    $script:failedTests += @($log | Where-Object { $_ -match '\[-\] ' } | ForEach-Object { "failed test: $_" })
    $summary = $log | Where-Object { $_ -match '^pester: ' } | Select-Object -Last 1
    $results['pester'] = if ($summary) { $summary -replace '^pester: ', '' } else { 'did not report' }
    if ($exit -ne 0) { throw "Pester failed (exit code $exit): $($results['pester'])" }
}

function Install-BuiltModule {
    $manifest = Import-PowerShellDataFile ([System.IO.Path]::Combine($moduleDir, 'ExpressHa.psd1'))
    $userPath = ($env:PSModulePath -split [System.IO.Path]::PathSeparator)[0]
    $target = [System.IO.Path]::Combine($userPath, 'ExpressHa', $manifest.ModuleVersion)
    if (Test-Path $target) { Remove-Item $target -Recurse -Force }
    New-Item -ItemType Directory -Path $target -Force | Out-Null
    Copy-Item -Path ([System.IO.Path]::Combine($moduleDir, '*')) -Destination $target -Recurse
    Write-Host "installed ExpressHa $($manifest.ModuleVersion) in $target"
}

function Invoke-ReleaseTask {
    $version = ([xml](Get-Content -Raw ([System.IO.Path]::Combine($PSScriptRoot, 'Directory.Build.props')))).Project.PropertyGroup.Version |
        Where-Object { $_ } | Select-Object -First 1
    $work = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'release')
    $publish = [System.IO.Path]::Combine($work, 'publish')
    $root = [System.IO.Path]::Combine($work, 'root')
    Remove-Item $publish, $root -Recurse -Force -ErrorAction SilentlyContinue
    # Its own artifacts path keeps this Release/linux-x64 build out of src/*/bin and obj, which the tests' Debug build
    # and LiveCluster.ps1 (the newest expresshad.dll under bin) use.
    Invoke-Native 'publish (self-contained linux-x64)' {
        dotnet publish src/ExpressHa.Service -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true `
            --artifacts-path ([System.IO.Path]::Combine($work, 'artifacts')) -o $publish
    }
    $lib = [System.IO.Path]::Combine($root, 'usr/lib/expressha')
    foreach ($d in 'usr/lib/expressha', 'usr/bin', 'usr/lib/systemd/system', 'etc/expressha', 'var/lib/expressha') {
        New-Item -ItemType Directory -Path ([System.IO.Path]::Combine($root, $d)) -Force | Out-Null
    }
    Copy-Item ([System.IO.Path]::Combine($publish, 'expresshad')) $lib
    Invoke-Native 'link usr/bin/expresshad' { ln -s ../lib/expressha/expresshad ([System.IO.Path]::Combine($root, 'usr/bin/expresshad')) }
    Copy-Item deploy/expresshad.service ([System.IO.Path]::Combine($root, 'usr/lib/systemd/system'))
    Copy-Item deploy/etc-expressha.README ([System.IO.Path]::Combine($root, 'etc/expressha/README'))
    Copy-Item examples/onprem-floatip-mirror/onprem-floatip-mirror.yaml ([System.IO.Path]::Combine($root, 'etc/expressha/cluster.yaml.example'))
    Invoke-Native 'modes' { chmod 0755 ([System.IO.Path]::Combine($lib, 'expresshad')); chmod 0700 ([System.IO.Path]::Combine($root, 'var/lib/expressha')) }

    if (Get-Command systemd-analyze -CommandType Application -ErrorAction SilentlyContinue) {
        # verify checks that ExecStart exists on this machine: a copy points it at the staged binary.
        $unit = [System.IO.Path]::Combine($work, 'expresshad.service')
        (Get-Content -Raw deploy/expresshad.service).Replace('/usr/lib/expressha/expresshad', [System.IO.Path]::Combine($lib, 'expresshad')) |
            Set-Content -Path $unit -NoNewline
        Invoke-Native 'systemd-analyze verify' { systemd-analyze verify $unit }
    }

    New-Item -ItemType Directory -Path $PackageOutput -Force | Out-Null
    # No top-level lib/: on merged-/usr hosts /lib is a symlink that tar -C / would replace with a directory.
    $tarball = [System.IO.Path]::Combine($PackageOutput, "expresshad-$version-linux-x64.tar.gz")
    Invoke-Native 'tar' { tar -czf $tarball --owner=0 --group=0 --numeric-owner -C $root usr etc var }
    Write-Host "package: $tarball"

    if (-not $NoDeb -and (Get-Command dpkg-deb -CommandType Application -ErrorAction SilentlyContinue)) {
        $debian = [System.IO.Path]::Combine($root, 'DEBIAN')
        New-Item -ItemType Directory -Path $debian -Force | Out-Null
        @"
Package: expresshad
Version: $version
Architecture: amd64
Maintainer: ExpressHa developers
Depends: libc6, libgcc-s1, libstdc++6, libssl3 | libssl3t64 | libssl1.1
Section: admin
Priority: optional
Description: ExpressHa cluster service
 The per-node ExpressHa HA cluster service (self-contained .NET, no SDK needed).
"@ | Set-Content -Path ([System.IO.Path]::Combine($debian, 'control'))
        "/etc/expressha/README`n/etc/expressha/cluster.yaml.example" | Set-Content ([System.IO.Path]::Combine($debian, 'conffiles'))
        $deb = [System.IO.Path]::Combine($PackageOutput, "expresshad_${version}_amd64.deb")
        try { Invoke-Native 'dpkg-deb' { dpkg-deb --root-owner-group -Zgzip --build $root $deb } }
        finally { Remove-Item $debian -Recurse -Force }
        Write-Host "package: $deb"
    }
}

Push-Location $PSScriptRoot
try {
    foreach ($t in $Task) {
        switch ($t) {
            'Build' {
                Invoke-Native 'build' { dotnet build ExpressHa.slnx -c $Configuration }
                Test-ModuleManifest ([System.IO.Path]::Combine($moduleDir, 'ExpressHa.psd1')) | Out-Null
            }
            'Test' {
                $failure = $null
                try { Invoke-XunitTask } catch { $failure = $_ }
                try { Invoke-PesterTask } catch { if (-not $failure) { $failure = $_ } }
                $script:failedTests | ForEach-Object { Write-Host $_ }
                Write-Host ("tests: " + (($results.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join '; '))
                if ($failure) { throw $failure }
            }
            'Unit' { Invoke-XunitTask -Filter $unitFilter; Write-Host "tests: xunit $($results['xunit'])" }
            'Pester' { Invoke-PesterTask; Write-Host "tests: pester $($results['pester'])" }
            'Pack' {
                Write-Host '==> pack'
                # The manifest is the package's only source of metadata (version, tags, licence, project, notes).
                New-Item -ItemType Directory -Path $PackageOutput -Force | Out-Null
                Compress-PSResource -Path $moduleDir -DestinationPath $PackageOutput
                Get-ChildItem $PackageOutput -Filter 'ExpressHa.*.nupkg' | ForEach-Object { Write-Host "package: $($_.FullName)" }
            }
            'Install' { Install-BuiltModule }
            'Release' { Invoke-ReleaseTask }
        }
    }
}
finally {
    Pop-Location
}
