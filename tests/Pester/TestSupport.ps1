# Dot-sourced by every *.Tests.ps1: where the module under test is, and a clean pwsh to run a script in.
$script:ModuleDir = if ($env:EXPRESSHA_MODULE_DIR) { $env:EXPRESSHA_MODULE_DIR } else { Join-Path $PSScriptRoot '../../out/ExpressHa' | Resolve-Path | ForEach-Object Path }
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:Pwsh = @('pwsh', 'pwsh.exe') | ForEach-Object { Join-Path $PSHOME $_ } | Where-Object { Test-Path $_ -PathType Leaf } | Select-Object -First 1

# Runs a script block in a new pwsh process (no profile, no module of this session) and returns its output objects.
function Invoke-CleanPwsh {
    param([Parameter(Mandatory)] [scriptblock]$Script, [object[]]$ArgumentList = @(), [hashtable]$Environment = @{})
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "expressha-pester-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory -Path $dir | Out-Null
    try {
        $argsFile = Join-Path $dir 'args.clixml'; $outFile = Join-Path $dir 'out.clixml'; $scriptFile = Join-Path $dir 'run.ps1'
        Export-Clixml -InputObject $ArgumentList -Path $argsFile -Depth 5
        Set-Content -Path $scriptFile -Value @"
`$ErrorActionPreference = 'Stop'
`$a = @(Import-Clixml '$argsFile')
`$result = & { $Script } @a
@(`$result) | Export-Clixml -Path '$outFile' -Depth 5
"@
        $saved = @{}
        foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        try { $log = & $script:Pwsh -NoProfile -NonInteractive -File $scriptFile 2>&1 | Out-String }
        finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
        if ($LASTEXITCODE -ne 0) { throw "the clean pwsh failed (exit code $LASTEXITCODE): $log" }
        Import-Clixml $outFile
    }
    finally { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }
}
