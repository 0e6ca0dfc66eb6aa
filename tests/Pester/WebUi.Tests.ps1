# The cluster web UI in a real browser: Debian's chromium, driven by playwright-core (tests/WebUi, npm ci; no browser
# download), headless, against two real expresshad processes on loopback. tests/WebUi/webui.test.mjs runs the scenario
# once and records each check; every It below asserts one of them. Screenshots land in out/webui-screenshots.
BeforeDiscovery {
    # The scenario's checks, in its order (webui.test.mjs names them the same).
    $script:Checks = @(
        'the page and its files carry a strict Content-Security-Policy'
        'a wrong token is refused'
        'sign in with the API token: both nodes online'
        'the token is in no URL and no storage; the session cookie is HttpOnly and SameSite=Strict'
        'keyboard: the move button is reached with Tab and its dialog opens and closes with the keyboard'
        'suspend and resume a monitor from the page, each confirmed and followed to its end'
        'suspend and resume a node from the page'
        'move failover1 to server2 from the page and watch it arrive'
        'SIGKILL of the active node: the page shows it lost and the group online on the survivor'
        'failover timeline picture'
        'alert log with filters and search'
        'config: the running YAML with its generation, and the dry-run diff of a dropped file'
        'config: applying the dropped file is a second, confirmed step (admin)'
        'a narrow window still shows the status table'
        'read-only token: sees the status, cannot move (the server refuses and the page says so)'
        'read-only token: the dry-run diff is shown and no apply is offered'
        'no console errors during the tests (other than the refusals provoked on purpose)'
    ) | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    . $PSScriptRoot/LiveCluster.ps1
    Import-ModuleUnderTest

    $webUi = Join-Path $script:RepoRoot 'tests/WebUi'
    if (-not (Test-Path (Join-Path $webUi 'node_modules/playwright-core/package.json'))) {
        # .ci/run does this; on a developer machine the first run does it here (the npm registry must be reachable).
        $env:PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1'
        & npm ci --prefix $webUi --no-audit --no-fund 2>&1 | Write-Host
        if ($LASTEXITCODE -ne 0) { throw "npm ci in tests/WebUi failed (exit $LASTEXITCODE)" }
    }
    if (-not (Test-Path /usr/bin/chromium)) { throw 'chromium is not installed (apt-get install chromium; .ci/run installs it)' }

    $readOnlyToken = [System.Convert]::ToHexString([System.Security.Cryptography.RandomNumberGenerator]::GetBytes(16))
    $cluster = Start-TestCluster -AddressPrefix 127.0.60. -Configure {
        param($config, $dir)
        $file = Join-Path $dir 'api-readonly.token'
        [System.IO.File]::WriteAllText($file, $readOnlyToken)
        $config | Set-HaCluster -ReadOnlyTokenFile $file
        $config | Add-HaMonitor appw custom -Target app -Timing active -IntervalSeconds 2 -TimeoutSeconds 10 -Property @{ script = '/bin/true' }
    }
    Connect-TestCluster $cluster

    $shots = Join-Path $script:RepoRoot 'out/webui-screenshots'
    Remove-Item $shots -Recurse -Force -ErrorAction SilentlyContinue
    $results = Join-Path $cluster.Dir 'webui-results.json'
    $env:EH_URL1 = $cluster.Endpoint
    $env:EH_URL2 = $cluster.Endpoint -replace [regex]::Escape($cluster.Addresses.server1), $cluster.Addresses.server2
    $env:EH_TOKEN = (Get-Content -Raw $cluster.TokenFile).Trim()
    $env:EH_READONLY_TOKEN = $readOnlyToken
    $env:EH_PID2 = $cluster.Processes.server2.Id
    $env:EH_SCREENSHOTS = $shots
    $env:EH_RESULTS = $results
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    & node (Join-Path $webUi 'webui.test.mjs') 2>&1 | ForEach-Object { Write-Host "  webui: $_" }
    Write-Host "  webui: browser scenario took $([int]$watch.Elapsed.TotalSeconds) s"
    $script:Results = if (Test-Path $results) { Get-Content -Raw $results | ConvertFrom-Json } else { $null }
    foreach ($name in 'EH_URL1', 'EH_URL2', 'EH_TOKEN', 'EH_READONLY_TOKEN', 'EH_PID2', 'EH_SCREENSHOTS', 'EH_RESULTS') { Remove-Item "env:$name" }
}

AfterAll { Stop-TestCluster $cluster -Name WebUi }

Describe 'The cluster web UI in chromium' {
    It '<Name>' -ForEach $Checks {
        $script:Results | Should -Not -BeNullOrEmpty -Because 'the browser scenario writes its results (see the webui: lines above)'
        $check = @($script:Results.checks | Where-Object name -eq $Name)
        $check.Count | Should -BeGreaterThan 0 -Because "the scenario did not get to this check: $(($script:Results.checks | Where-Object { -not $_.ok } | Select-Object -First 1).detail)"
        $check | Where-Object { -not $_.ok } | ForEach-Object { $_.detail } | Should -BeNullOrEmpty
    }

    It 'gives the cmdlets the same read-only role: reads work, a change is ExpressHa.ReadOnly (PermissionDenied)' {
        Connect-HaCluster -Endpoint $cluster.Endpoint -TokenFile (Join-Path $cluster.Dir 'api-readonly.token')
        (Get-HaClusterStatus).Groups[0].Owner | Should -Be 'server1'
        $e = { Stop-HaGroup failover1 -Confirm:$false -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'ExpressHa.ReadOnly,*'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.Exception.Message | Should -Match 'read-only token'
        (Get-HaClusterStatus).Groups[0].State | Should -Be 'online'
    }

    It 'keeps screenshots of the main views for review' {
        foreach ($view in '02-status', '04-node-lost', '05-failovers', '06-alerts', '07-config-diff', '08-narrow', '09-read-only-refused') {
            Join-Path $script:RepoRoot "out/webui-screenshots/$view.png" | Should -Exist
        }
    }
}
