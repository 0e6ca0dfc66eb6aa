using System.Xml.Linq;

namespace ExpressHa.Cmdlets.Tests;

/// <summary>The module's help: MAML for every exported cmdlet (matching the cmdlets' real parameters) and the about topics.
/// Each check collects every problem first, so one run lists all of them.</summary>
public class HelpTests
{
    static readonly string HelpDir = Path.Combine(Path.GetDirectoryName(Repo.ModuleManifest)!, "en-US");

    static List<string> Problems(PsSession s, string script)
    {
        var r = s.Run(script).Ok();
        return r.Output.Select(o => o?.ToString() ?? "").Where(t => t.Length > 0).ToList();
    }

    static void AssertNone(List<string> problems) => Assert.True(problems.Count == 0, string.Join("\n", problems));

    [Fact]
    public void EveryExportedCmdletHasASynopsisDescriptionAndExamples()
    {
        using var s = new PsSession();
        AssertNone(Problems(s, """
            foreach ($name in (Get-Module ExpressHa).ExportedCmdlets.Keys | Sort-Object) {
                $h = Get-Help $name -Full
                $synopsis = "$($h.Synopsis)".Trim()
                if (-not $synopsis) { "${name}: empty synopsis" }
                elseif ($synopsis.StartsWith($name) -or $synopsis.Contains('<CommonParameters>') -or $synopsis.Contains('[-')) {
                    "${name}: the synopsis is the generated syntax, so the help file was not found: $synopsis"
                }
                if (-not ("$($h.description.Text)".Trim())) { "${name}: no description" }
                $examples = @($h.examples.example)
                if ($examples.Count -lt 1) { "${name}: no example" }
                foreach ($e in $examples) {
                    if (-not "$($e.code)".Trim()) { "${name}: $($e.title) has no code" }
                    if (-not "$($e.remarks.Text)".Trim()) { "${name}: $($e.title) has no remarks" }
                    $errors = $null
                    $null = [System.Management.Automation.Language.Parser]::ParseInput("$($e.code)", [ref]$null, [ref]$errors)
                    if ($errors) { "${name}: $($e.title) does not parse: $($errors[0].Message)" }
                }
                if (-not @($h.relatedLinks.navigationLink).Count) { "${name}: no related links" }
                if (-not @($h.returnValues.returnValue).Count) { "${name}: no output type" }
            }
            """));
    }

    [Fact]
    public void EveryParameterIsDocumentedAsTheCmdletDeclaresIt()
    {
        using var s = new PsSession();
        AssertNone(Problems(s, """
            $common = [System.Management.Automation.Cmdlet]::CommonParameters
            foreach ($name in (Get-Module ExpressHa).ExportedCmdlets.Keys | Sort-Object) {
                $cmd = Get-Command $name
                $h = Get-Help $name -Full
                $documented = @{}
                foreach ($p in @($h.parameters.parameter)) { if ($p) { $documented[$p.name] = $p } }
                $real = @($cmd.Parameters.Keys | Where-Object { $common -notcontains $_ })
                foreach ($p in $real) {
                    $doc = $documented[$p]
                    if (-not $doc) { "${name}: -$p is not documented"; continue }
                    if (-not "$($doc.description.Text)".Trim()) { "${name}: -$p has no description" }
                    $sets = @($cmd.ParameterSets | ForEach-Object { $set = $_; $set.Parameters | Where-Object Name -eq $p })
                    $always = ($sets.Count -eq $cmd.ParameterSets.Count) -and -not ($sets | Where-Object { -not $_.IsMandatory })
                    if ("$($doc.required)" -ne "$always".ToLower()) { "${name}: -$p is documented required=$($doc.required), the cmdlet says $always" }
                    $position = if ($sets[0].Position -lt 0) { 'named' } else { "$($sets[0].Position)" }
                    if ("$($doc.position)" -ne $position) { "${name}: -$p is documented at position $($doc.position), the cmdlet says $position" }
                    $kinds = @(if ($sets[0].ValueFromPipeline) { 'ByValue' }; if ($sets[0].ValueFromPipelineByPropertyName) { 'ByPropertyName' })
                    $pipeline = if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
                    if ("$($doc.pipelineInput)" -ne $pipeline) { "${name}: -$p is documented with pipeline input '$($doc.pipelineInput)', the cmdlet says '$pipeline'" }
                    $type = $cmd.Parameters[$p].ParameterType
                    $type = if ([Nullable]::GetUnderlyingType($type)) { [Nullable]::GetUnderlyingType($type) } else { $type }
                    if ("$($doc.type.name)" -ne $type.FullName) { "${name}: -$p is documented as $($doc.type.name), the cmdlet says $($type.FullName)" }
                    $aliases = @($cmd.Parameters[$p].Aliases) -join ', '
                    if (-not $aliases) { $aliases = 'none' }
                    if ("$($doc.aliases)" -ne $aliases) { "${name}: -$p is documented with aliases '$($doc.aliases)', the cmdlet says '$aliases'" }
                }
                foreach ($p in $documented.Keys) { if ($real -notcontains $p) { "${name}: the help documents -$p, which the cmdlet does not have" } }
                $syntax = @($h.syntax.syntaxItem).Count
                if ($syntax -ne $cmd.ParameterSets.Count) { "${name}: the help has $syntax syntax item(s) for $($cmd.ParameterSets.Count) parameter set(s)" }
            }
            """));
    }

    [Fact]
    public void TheHelpFileDescribesExactlyTheExportedCmdlets()
    {
        using var s = new PsSession();
        var exported = s.Run("(Get-Module ExpressHa).ExportedCmdlets.Keys").Ok().Output.Select(o => o.ToString()).OrderBy(n => n).ToList();
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        var doc = XDocument.Load(Path.Combine(HelpDir, "ExpressHa.Cmdlets.dll-Help.xml"));
        var described = doc.Descendants(command + "details").Select(d => (string)d.Element(command + "name")!).OrderBy(n => n).ToList();
        Assert.Equal(exported, described);
    }

    [Theory]
    [InlineData("about_ExpressHa")]
    [InlineData("about_ExpressHa_Config")]
    public void GetHelpFindsTheAboutTopic(string topic)
    {
        // Get-Help finds about topics in the en-US folder of a module imported by path, so this goes through Get-Help
        // rather than reading the file.
        using var s = new PsSession();
        var text = string.Concat(s.Run($"Get-Help {topic}").Ok().Output.Select(o => o.ToString()));
        Assert.Contains("TOPIC", text);
        Assert.Contains(topic, text);
        Assert.Contains("SHORT DESCRIPTION", text);
        Assert.Contains("LONG DESCRIPTION", text);
        Assert.Contains("SEE ALSO", text);
    }

    [Fact]
    public void AboutExpressHaNamesEveryTypeFindingCodeAndErrorId()
    {
        using var s = new PsSession();
        AssertNone(Problems(s, """
            $text = Get-Help about_ExpressHa | Out-String
            foreach ($t in Get-HaTypeSchema) { if ($text -notmatch "\b$([regex]::Escape($t.Name))\b") { "about_ExpressHa does not name the $($t.Kind) type $($t.Name)" } }
            foreach ($f in [ExpressHa.Validation.FindingCodes].GetFields()) {
                $code = $f.GetRawConstantValue()
                if ($text -notmatch "\b$code\b") { "about_ExpressHa does not name the finding code $code" }
            }
            foreach ($f in [ExpressHa.Cmdlets.HaErrorIds].GetFields()) {
                $id = $f.GetRawConstantValue()
                if (-not $text.Contains($id)) { "about_ExpressHa does not name the ErrorId $id" }
            }
            foreach ($word in 'apiVersion', 'expressha/v1', 'cluster', 'nodes', 'groups', 'resources', 'monitors', '-Path', '-PassThru', '-WhatIf', 'Test-HaClusterConfig') {
                if (-not $text.Contains($word)) { "about_ExpressHa does not mention $word" }
            }
            """));
    }

    [Fact]
    public void AboutExpressHaConfigDocumentsEveryTypeAndParameter()
    {
        using var s = new PsSession();
        AssertNone(Problems(s, """
            $text = Get-Help about_ExpressHa_Config | Out-String
            foreach ($t in Get-HaTypeSchema) {
                $section = if ($t.Kind -eq 'Resource') { $text.Substring(0, $text.IndexOf('  MONITORS')) } else { $text.Substring($text.IndexOf('  MONITORS')) }
                if ($section -notmatch "(?m)^\s+$([regex]::Escape($t.Name)): ") { "about_ExpressHa_Config does not describe the $($t.Kind) type $($t.Name)"; continue }
                foreach ($p in $t.Parameters) {
                    if ($section -notmatch "(?m)^\s+$([regex]::Escape($p.Name)): ") { "about_ExpressHa_Config does not describe $($p.Name) of the $($t.Kind) type $($t.Name)" }
                }
            }
            """));
    }

    [Fact]
    public void TheSampleConfigsInTheAboutTopicsAreValid()
    {
        using var s = new PsSession();
        foreach (var (file, after) in new[] { ("about_ExpressHa.help.txt", "A small two-node config on AWS:"), ("about_ExpressHa_Config.help.txt", "and a\n    health check:") })
        {
            var text = File.ReadAllText(Path.Combine(HelpDir, file)).Replace("\r\n", "\n");
            var start = text.IndexOf(after, StringComparison.Ordinal);
            Assert.True(start >= 0, $"{file}: the sample config after '{after}' is missing");
            var lines = text.Substring(start + after.Length).TrimStart('\n').Split('\n').TakeWhile(l => l.Length == 0 || l.StartsWith("        ")).ToList();
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            var yaml = string.Join("\n", lines.Select(l => l.Length >= 8 ? l.Substring(8) : l)) + "\n";
            Assert.StartsWith("apiVersion: expressha/v1", yaml);
            var path = Path.Combine(s.TempDir, file + ".yml");
            File.WriteAllText(path, yaml);
            var findings = s.Run($"Test-HaClusterConfig -Path '{path}' | ForEach-Object {{ $_.ToString() }}").Ok().Output.Select(o => o.ToString()).ToList();
            Assert.True(findings.Count == 0, $"{file}: the sample config has findings:\n" + string.Join("\n", findings));
        }
    }
}
