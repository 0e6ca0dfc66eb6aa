BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
}

Describe 'The module as built' {
    It 'passes Test-ModuleManifest' {
        $m = Test-ModuleManifest (Join-Path $ModuleDir 'ExpressHa.psd1')
        $m.Name | Should -Be 'ExpressHa'
        $m.ExportedCmdlets.Keys | Should -Contain 'New-HaCluster'
    }

    It 'imports by path in a clean session and exports exactly the manifest''s cmdlets' {
        $out = Invoke-CleanPwsh -Script {
            param($dir)
            Import-Module (Join-Path $dir 'ExpressHa.psd1') -ErrorAction Stop
            $declared = (Import-PowerShellDataFile (Join-Path $dir 'ExpressHa.psd1')).CmdletsToExport
            $exported = (Get-Command -Module ExpressHa).Name
            [pscustomobject]@{ Missing = @($declared | Where-Object { $_ -notin $exported }); Exported = $exported.Count; Declared = $declared.Count }
        } -ArgumentList $ModuleDir
        $out.Missing | Should -BeNullOrEmpty
        $out.Exported | Should -Be $out.Declared
    }
}

Describe 'YamlDotNet in its own load context' {
    It 'imports beside a session that already loaded another YamlDotNet, and round-trips an example' {
        $other = Join-Path (Get-NuGetCachePath) 'yamldotnet/13.7.1/lib/net7.0/YamlDotNet.dll'
        Test-Path $other | Should -BeTrue -Because 'tests/Pester/ExpressHa.Pester.csproj downloads YamlDotNet 13.7.1'
        $example = Join-Path $RepoRoot 'examples/aws-vip/aws-vip.yaml'
        $out = Invoke-CleanPwsh -ArgumentList $ModuleDir, $other, $example -Script {
            param($dir, $other, $example)
            Add-Type -Path $other
            Import-Module (Join-Path $dir 'ExpressHa.psd1')
            $yaml = (Import-HaClusterConfig -Path $example).ToYaml()
            $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } | ForEach-Object {
                [pscustomobject]@{
                    Version = $_.GetName().Version.Major
                    Default = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_) -eq [System.Runtime.Loader.AssemblyLoadContext]::Default
                }
            }
            [pscustomobject]@{ Yaml = $yaml; Loaded = @($loaded) }
        }
        ($out.Yaml -replace "`r`n", "`n").TrimEnd() | Should -Be ((Get-Content $example -Raw) -replace "`r`n", "`n").TrimEnd()
        $out.Loaded.Count | Should -Be 2
        ($out.Loaded | Where-Object Default).Version | Should -Be 13
        ($out.Loaded | Where-Object { -not $_.Default }).Version | Should -Be 18
    }
}
