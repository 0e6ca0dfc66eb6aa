BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'Installing the module as users do' {
    BeforeAll {
        $script:Repo = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory -Path $Repo | Out-Null
    }

    It 'publishes to a local file repository and installs from it by name in a clean session' {
        $isolated = New-IsolatedHome (Join-Path $TestDrive 'home-psresource')
        Invoke-CleanPwsh -Environment $isolated -ArgumentList $ModuleDir, $Repo -Script {
            param($moduleDir, $repo)
            Register-PSResourceRepository -Name local -Uri $repo -Trusted
            Publish-PSResource -Path $moduleDir -Repository local
        } | Out-Null
        (Get-ChildItem $Repo -Filter 'ExpressHa.*.nupkg').Name | Should -Be 'ExpressHa.0.1.0.nupkg'

        $out = Invoke-CleanPwsh -Environment $isolated -ArgumentList $SmokePipeline.ToString() -Script {
            param($pipeline)
            Install-PSResource ExpressHa -Repository local -TrustRepository -Scope CurrentUser
            Import-Module ExpressHa
            [pscustomobject]@{
                Base = (Get-Module ExpressHa).ModuleBase
                Installed = (Get-InstalledPSResource ExpressHa).Version.ToString()
                Yaml = & ([scriptblock]::Create($pipeline))
            }
        }
        $out.Base | Should -BeLike "$($isolated.XDG_DATA_HOME)*ExpressHa*0.1.0"
        $out.Installed | Should -Be '0.1.0'
        $out.Yaml | Should -Match 'name: failover1'
        $out.Yaml | Should -Match 'ip: 192\.168\.1\.50'
    }

    It 'installs with build.ps1 -Task Install and imports by name' {
        $isolated = New-IsolatedHome (Join-Path $TestDrive 'home-build')
        $out = Invoke-CleanPwsh -Environment $isolated -ArgumentList (Join-Path $RepoRoot 'build.ps1'), $SmokePipeline.ToString() -Script {
            param($build, $pipeline)
            & $build -Task Install | Out-Null
            Import-Module ExpressHa
            [pscustomobject]@{ Base = (Get-Module ExpressHa).ModuleBase; Yaml = & ([scriptblock]::Create($pipeline)) }
        }
        $out.Base | Should -BeLike "$($isolated.XDG_DATA_HOME)*ExpressHa*0.1.0"
        $out.Yaml | Should -Match 'name: failover1'
    }

    It 'packs a nupkg whose metadata comes from the manifest' {
        $pack = Join-Path $TestDrive 'pack'
        New-Item -ItemType Directory -Path $pack | Out-Null
        Compress-PSResource -Path $ModuleDir -DestinationPath $pack
        $nupkg = Get-ChildItem $pack -Filter '*.nupkg' | Select-Object -First 1
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg.FullName)
        try {
            $entry = $zip.Entries | Where-Object FullName -eq 'ExpressHa.nuspec'
            $reader = [System.IO.StreamReader]::new($entry.Open())
            [xml]$nuspec = $reader.ReadToEnd(); $reader.Dispose()
            $names = @($zip.Entries.FullName)
        }
        finally { $zip.Dispose() }
        $m = $nuspec.package.metadata
        $m.version | Should -Be '0.1.0'
        $m.tags -split ' ' | Should -Contain 'PSModule'
        $m.tags -split ' ' | Should -Contain 'PSEdition_Core'
        $m.projectUrl | Should -Not -BeNullOrEmpty
        $m.licenseUrl | Should -Not -BeNullOrEmpty
        $m.releaseNotes | Should -Not -BeNullOrEmpty
        $names | Should -Contain 'dependencies/YamlDotNet.dll'
        $names | Should -Contain 'ExpressHa.psd1'
    }
}
