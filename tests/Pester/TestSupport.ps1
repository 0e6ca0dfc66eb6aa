# Dot-sourced by every *.Tests.ps1: where the module under test is, and a clean pwsh to run a script in.
$script:ModuleDir = if ($env:EXPRESSHA_MODULE_DIR) { $env:EXPRESSHA_MODULE_DIR } else { Join-Path $PSScriptRoot '../../out/ExpressHa' | Resolve-Path | ForEach-Object Path }
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:Pwsh = @('pwsh', 'pwsh.exe') | ForEach-Object { Join-Path $PSHOME $_ } | Where-Object { Test-Path $_ -PathType Leaf } | Select-Object -First 1

# Runs a script block in a new pwsh process (no profile, no module of this session) and returns its output objects.
function Invoke-CleanPwsh {
    # Arguments are passed as scalars (serialized one by one); the script block runs as a new script, so it sees no
    # variable of the caller.
    param([Parameter(Mandatory)] [scriptblock]$Script, [object[]]$ArgumentList = @(), [hashtable]$Environment = @{})
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "expressha-pester-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $dir | Out-Null
    try {
        $argsFile = Join-Path $dir 'args.clixml'; $outFile = Join-Path $dir 'out.clixml'; $scriptFile = Join-Path $dir 'run.ps1'
        Export-Clixml -InputObject $ArgumentList -Path $argsFile -Depth 5
        Set-Content -Path $scriptFile -Value @"
`$ErrorActionPreference = 'Stop'
`$a = @(Import-Clixml '$argsFile' | ForEach-Object { `$_ })
`$result = & { $Script } @a
@(`$result) | Export-Clixml -Path '$outFile' -Depth 5
"@
        $saved = @{}
        # A $null value removes the variable (PSModulePath, so the child computes its own from HOME/XDG_DATA_HOME).
        foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        try { $log = & $script:Pwsh -NoProfile -NonInteractive -File $scriptFile 2>&1 | Out-String }
        finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
        if ($LASTEXITCODE -ne 0) { throw "the clean pwsh failed (exit code $LASTEXITCODE): $log" }
        Import-Clixml $outFile
    }
    finally { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }
}

# Environment for a clean pwsh with its own home: user module path, PSResourceGet repositories and caches all under
# $HomePath, nothing of the machine's user.
# The folders exist beforehand: .NET reports a missing LocalApplicationData as "", and PSResourceGet would then keep
# its repository store in the current directory.
function New-IsolatedHome([Parameter(Mandatory)] [string]$HomePath) {
    $environment = @{
        HOME            = $HomePath
        XDG_DATA_HOME   = Join-Path $HomePath '.local/share'
        XDG_CONFIG_HOME = Join-Path $HomePath '.config'
        XDG_CACHE_HOME  = Join-Path $HomePath '.cache'
    }
    $environment.Values | ForEach-Object { New-Item -ItemType Directory -Path $_ -Force | Out-Null }
    $environment.PSModulePath = $null
    $environment
}

# The NuGet cache holding the packages that tests/Pester/ExpressHa.Pester.csproj downloads.
function Get-NuGetCachePath {
    ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
}

# The example cluster every install test authors: the same pipeline as the README's.
$script:SmokePipeline = {
    New-HaCluster -Name cluster |
        Add-HaNode -Name server1 -Address 10.0.110.10 -PassThru |
        Add-HaNode -Name server2 -Address 10.0.120.10 -PassThru |
        Add-HaGroup -Name failover1 -Server server1, server2 -PassThru |
        Add-HaResource -Group failover1 -Name vip -Type floatip -PassThru -Property @{ ip = '192.168.1.50' } |
        ForEach-Object ToYaml
}

# A type of ExpressHa.Core by name. On pwsh 7 the module loads ExpressHa.Core in a private load context, so scripts
# cannot write its types as literals ([ExpressHa.Api.AlertEntry]); the cmdlets assembly's types resolve as usual.
function Get-HaCoreType([Parameter(Mandatory)] [string]$Name) {
    $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ExpressHa.Core' } | Select-Object -First 1
    if (-not $core) { throw 'ExpressHa.Core is not loaded: import the module first.' }
    $core.GetType($Name, $true)
}

function Import-ModuleUnderTest { Import-Module (Join-Path $script:ModuleDir 'ExpressHa.psd1') -Force -ErrorAction Stop }

# A new empty directory under the temp folder; the caller removes it.
function New-TestDirectory {
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "expressha-pester-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $dir | Out-Null
    $dir
}

# A file's bytes as text with CRLF turned into LF (Latin-1 maps every byte to one character, so nothing else changes).
function Get-BytesModuloLineEndings([string]$Path) {
    [System.Text.Encoding]::Latin1.GetString([System.IO.File]::ReadAllBytes($Path)).Replace("`r`n", "`n")
}

function Get-FileSha256([string]$Path) { (Get-FileHash -Path $Path -Algorithm SHA256).Hash }

# A copy of the aws-vip example's config (nodes server1 and server2, group failover1 with resources awsvip1 and app,
# monitors awsvipw1, awsazw1 and appw): a realistic valid file to edit, complete and break.
function Copy-SampleConfig([string]$Destination) {
    Copy-Item -Path (Join-Path $script:RepoRoot 'examples/aws-vip/aws-vip.yaml') -Destination $Destination
    $Destination
}

# Calls $Condition until it returns something true (exceptions count as "not yet") and returns that; throws with
# $Because and the last exception after $TimeoutSeconds. The timeout is generous: the machine may be loaded.
function Wait-Until {
    param([Parameter(Mandatory)] [scriptblock]$Condition, [Parameter(Mandatory)] [string]$Because, [int]$TimeoutSeconds = 60)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $last = $null
    while ($true) {
        try { $value = & $Condition; if ($value) { return $value } } catch { $last = $_ }
        if ([DateTime]::UtcNow -ge $deadline) { throw "$Because (not within $TimeoutSeconds s)$(if ($last) { ": $last" })" }
        Start-Sleep -Milliseconds 100
    }
}

# The example designs: examples/<design>/<design>.ps1 and the YAML committed beside it.
function Get-ExampleDesign {
    Get-ChildItem -Path (Join-Path $script:RepoRoot 'examples') -Filter '*.ps1' -Recurse | Sort-Object FullName |
        ForEach-Object { @{ Design = $_.Directory.Name; Script = $_.FullName; Committed = [System.IO.Path]::ChangeExtension($_.FullName, '.yaml') } }
}

# Asserts an ErrorRecord's FullyQualifiedErrorId (ErrorId,cmdlet class) and its category.
function Assert-HaError($Record, [string]$FullyQualifiedErrorId, [System.Management.Automation.ErrorCategory]$Category) {
    $Record.FullyQualifiedErrorId | Should -Be $FullyQualifiedErrorId
    $Record.CategoryInfo.Category | Should -Be $Category
}

# The version of this checkout (Directory.Build.props).
function Get-RepoVersion {
    ([xml](Get-Content -Raw (Join-Path $script:RepoRoot 'Directory.Build.props'))).Project.PropertyGroup.Version |
        Where-Object { $_ } | Select-Object -First 1
}

# The release tarball of this checkout (build.ps1 -Task Release -NoDeb into out/test-release), built once per test
# session: the release test and the Ansible test use the same file instead of publishing twice.
function Get-ReleaseTarball {
    if ($global:ExpressHaTestTarball -and (Test-Path $global:ExpressHaTestTarball)) { return $global:ExpressHaTestTarball }
    $packages = Join-Path $script:RepoRoot 'out/test-release'
    Remove-Item $packages -Recurse -Force -ErrorAction SilentlyContinue
    $log = & $script:Pwsh -NoProfile -NonInteractive -File (Join-Path $script:RepoRoot 'build.ps1') -Task Release -NoDeb -PackageOutput $packages 2>&1 | Out-String
    if ($LASTEXITCODE -ne 0) { throw "build.ps1 -Task Release failed (exit code $LASTEXITCODE): $log" }
    $global:ExpressHaTestTarball = Join-Path $packages "expresshad-$(Get-RepoVersion)-linux-x64.tar.gz"
    $global:ExpressHaTestTarball
}
