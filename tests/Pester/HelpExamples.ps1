# The examples of the module's help, and which of them can run on this machine without a cluster.

# Cmdlets that talk to a running cluster (or to EC2's metadata service).
$script:OperatingCmdlets = @(
    'Connect-HaCluster', 'Disconnect-HaCluster', 'Get-HaClusterStatus', 'Get-HaAlertLog', 'Publish-HaClusterConfig',
    'Start-HaGroup', 'Stop-HaGroup', 'Move-HaGroup', 'Start-HaCluster', 'Stop-HaCluster',
    'Suspend-HaNode', 'Resume-HaNode', 'Suspend-HaMonitor', 'Resume-HaMonitor',
    'Get-HaMirror', 'Suspend-HaMirror', 'Resume-HaMirror', 'Repair-HaMirror', 'Backup-HaMirror', 'Restore-HaMirror',
    'Get-HaAwsEnvironment', 'Get-HaClusterConfig', 'Compare-HaClusterConfig', 'Save-HaClusterLog',
    'Invoke-HaFailoverDrill')

# Examples that show an error on purpose: the ErrorId they must produce.
$script:ExpectedExampleErrors = @{ 'Add-HaResource #3' = 'ExpressHa.ConfigInvalid' }

# Why the example cannot run here, or $null: it uses a cluster, reads the live state (a Get-Ha* cmdlet without a
# config at the head of a pipeline), prompts, or writes outside the working directory.
function Get-ExampleNeed([string]$Code) {
    $tokens = $null; $parseErrors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref]$tokens, [ref]$parseErrors)
    foreach ($cmd in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
        $name = $cmd.GetCommandName()
        if ($name -in $script:OperatingCmdlets) { return "uses $name" }
        $parameters = @($cmd.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] })
        $headOfPipeline = $cmd.Parent.PipelineElements[0] -eq $cmd
        if ($name -match '^Get-Ha(Node|Group|Resource|Monitor)$' -and $headOfPipeline -and -not ($parameters.ParameterName -match '^(Path|InputObject)$')) {
            return "reads the live state with $name"
        }
        if ($name -eq 'Read-Host') { return 'prompts' }
        if ($parameters | Where-Object { $_.ParameterName -eq 'Confirm' -and -not $_.Argument }) { return 'asks for confirmation' }
    }
    if ($Code -match '(^|\s)/(etc|backup|var)/') { return 'writes outside the working directory' }
    $null
}

function Get-HelpExample {
    foreach ($name in (Get-Module ExpressHa).ExportedCmdlets.Keys | Sort-Object) {
        $i = 0
        foreach ($e in @((Get-Help $name -Full).examples.example)) {
            $i++
            $code = "$($e.code)"
            $need = Get-ExampleNeed $code
            @{ Command = $name; Index = $i; Code = $code; NeedsLiveSystem = [bool]$need; Need = $need }
        }
    }
}

# Runs an example's code in the directory (relative paths in it land there) and returns the errors it wrote.
function Invoke-HelpExample([string]$Code, [string]$WorkingDirectory) {
    Push-Location $WorkingDirectory
    try {
        $ErrorActionPreference = 'Continue'
        & ([scriptblock]::Create($Code)) 2>&1 3>$null 6>$null | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }
    }
    finally { Pop-Location }
}
