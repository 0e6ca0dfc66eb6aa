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
