BeforeDiscovery {
    . $PSScriptRoot/TestSupport.ps1
    $examples = Get-ExampleDesign
}

BeforeAll {
    . $PSScriptRoot/TestSupport.ps1
    Import-ModuleUnderTest
    $dir = New-TestDirectory
    $examples = Get-ExampleDesign
}

AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Example design <Design>' -ForEach $examples {
    BeforeAll {
        $produced = Join-Path $dir "$Design.yaml"
        $output = & $Script -OutPath $produced 3>&1
    }

    It 'runs without warnings and writes the config to -OutPath' {
        $output | Should -BeNullOrEmpty
        $produced | Should -Exist
    }

    It 'produces the committed YAML byte for byte (modulo line endings)' {
        Get-BytesModuloLineEndings $produced | Should -BeExactly (Get-BytesModuloLineEndings $Committed)
    }

    It 'produces a config without findings that reads back to the same bytes' {
        Test-HaClusterConfig -Path $produced | Should -BeNullOrEmpty
        $again = Join-Path $dir "$Design.again.yaml"
        Import-HaClusterConfig -Path $produced | Export-HaClusterConfig -Path $again
        Get-BytesModuloLineEndings $again | Should -BeExactly (Get-BytesModuloLineEndings $produced)
    }
}

Describe 'Every example script in a clean pwsh' {
    It 'imports the module by path and writes the committed YAML of each design' {
        $outDir = Join-Path $dir 'clean'
        $written = Invoke-CleanPwsh -Script {
            param($manifest, $scripts, $outDir)
            Import-Module $manifest
            foreach ($s in $scripts) {
                $out = Join-Path $outDir ([System.IO.Path]::GetFileNameWithoutExtension($s) + '.yaml')
                & $s -OutPath $out
                $out
            }
        } -ArgumentList (Join-Path $ModuleDir 'ExpressHa.psd1'), @($examples.Script), $outDir
        $written.Count | Should -Be $examples.Count
        foreach ($e in $examples) {
            Get-BytesModuloLineEndings (Join-Path $outDir "$($e.Design).yaml") | Should -BeExactly (Get-BytesModuloLineEndings $e.Committed) -Because $e.Design
        }
    }
}
