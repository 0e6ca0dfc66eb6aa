using System.Reflection;

namespace ExpressHa.Service.Commands;

/// <summary>`version` / `--version`: the version and the commit the build was made from.</summary>
public static class VersionCommand
{
    public static int Run(TextWriter stdout)
    {
        stdout.WriteLine($"expresshad {Version} (commit {Commit})");
        return 0;
    }

    // The SDK (Source Link) stamps InformationalVersion as <version>+<full commit id> when built in a git checkout;
    // outside git there is no '+' and the commit is unknown.
    static string Informational =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string Version => Informational.Split('+')[0];

    public static string Commit
    {
        get
        {
            var parts = Informational.Split('+', 2);
            if (parts.Length < 2 || parts[1].Length == 0) return "unknown";
            var id = parts[1].Split('.')[0];
            return id.Length > 7 ? id[..7] : id;
        }
    }
}
