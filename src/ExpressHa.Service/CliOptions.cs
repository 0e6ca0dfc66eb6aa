namespace ExpressHa.Service;

/// <summary>--name value options of a command line.</summary>
public sealed class CliOptions
{
    readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public static CliOptions Parse(string[] args, out string? error)
    {
        var o = new CliOptions();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length == 2)
            {
                error = $"unexpected argument '{args[i]}'; options are written --name value";
                return o;
            }
            // A bare switch (--aws) followed by another option or nothing means true.
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                o._values[args[i].Substring(2)] = "true";
                continue;
            }
            o._values[args[i].Substring(2)] = args[++i];
        }
        return o;
    }
}
