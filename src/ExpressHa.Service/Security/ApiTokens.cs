using ExpressHa.Config;

namespace ExpressHa.Service.Security;

/// <summary>The two operator tokens a node reads at start: the API token (every operator route) and, when
/// <c>cluster.security.readOnlyTokenFile</c> is set, the read-only token (reads and dry runs only).</summary>
public sealed record ApiTokens(string Operator, string? ReadOnly)
{
    public const int MinLength = 16;

    /// <exception cref="InvalidOperationException">a missing file, a short token, or the same token twice.</exception>
    public static ApiTokens Load(SecuritySettings s)
    {
        var op = Read(s.ApiTokenFile, "cluster.security.apiTokenFile", "the cluster's API token");
        var ro = s.ReadOnlyTokenFile == null ? null : Read(s.ReadOnlyTokenFile, "cluster.security.readOnlyTokenFile", "the read-only API token");
        if (ro != null && ro == op)
            throw new InvalidOperationException($"the read-only token in '{s.ReadOnlyTokenFile}' is the API token itself; give the read-only role its own random token (cluster.security.readOnlyTokenFile)");
        return new ApiTokens(op, ro);
    }

    static string Read(string file, string field, string what)
    {
        if (!File.Exists(file)) throw new InvalidOperationException($"token file '{file}' does not exist; put {what} there on every node ({field})");
        var token = File.ReadAllText(file).Trim();
        if (token.Length < MinLength) throw new InvalidOperationException($"the token in '{file}' is shorter than {MinLength} characters ({field})");
        return token;
    }
}
