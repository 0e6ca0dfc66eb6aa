using System.Security.Cryptography;
using System.Text;

namespace ExpressHa.Service.Api;

/// <summary>Who presented a bearer credential: nobody we know, the operator (API token) or a node (cluster credential).</summary>
public enum ApiCaller { None, Operator, Node }

/// <summary>Pure rules of the API's two credentials: the operator's token opens the operator routes only, the
/// cluster-key credential opens the node-to-node routes (<c>/v1/internal/*</c>) only.</summary>
public sealed class ApiAuthorization
{
    const string Scheme = "Bearer ";
    readonly byte[] _operatorHash;
    readonly byte[]? _nodeHash;

    /// <param name="operatorToken">The API token; required.</param>
    /// <param name="clusterCredential">The credential derived from the cluster key; empty: no node-to-node route opens.</param>
    public ApiAuthorization(string operatorToken, string? clusterCredential)
    {
        if (string.IsNullOrEmpty(operatorToken)) throw new ArgumentException("the API token is empty", nameof(operatorToken));
        _operatorHash = Hash(operatorToken);
        _nodeHash = string.IsNullOrEmpty(clusterCredential) ? null : Hash(clusterCredential);
    }

    /// <summary>The caller named by an Authorization header (null or several headers: none). Both hashes are always
    /// compared, in constant time, so timing tells nothing about which credential came close.</summary>
    public ApiCaller Identify(IReadOnlyList<string?>? authorizationHeaders)
    {
        if (authorizationHeaders is not { Count: 1 }) return ApiCaller.None;
        var value = authorizationHeaders[0];
        if (value == null || value.Length <= Scheme.Length || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return ApiCaller.None;
        var presented = Hash(value[Scheme.Length..].Trim());
        var isOperator = CryptographicOperations.FixedTimeEquals(presented, _operatorHash);
        var isNode = CryptographicOperations.FixedTimeEquals(presented, _nodeHash ?? new byte[32]) && _nodeHash != null;
        return isOperator ? ApiCaller.Operator : isNode ? ApiCaller.Node : ApiCaller.None;
    }

    /// <summary>Whether a route pattern (as mapped, e.g. "/v1/internal/actions") belongs to the node-to-node API.</summary>
    public static bool IsNodeRoute(string? routePattern)
        => routePattern != null && routePattern.TrimStart('/').StartsWith("v1/internal/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when the caller may use the route; otherwise why not (answered 403).</summary>
    public static string? Refusal(ApiCaller caller, string? routePattern) => (caller, IsNodeRoute(routePattern)) switch
    {
        (ApiCaller.Node, true) or (ApiCaller.Operator, false) => null,
        (ApiCaller.Operator, true) => "node-to-node routes accept only the cluster credential, not the API token",
        (ApiCaller.Node, false) => "operator routes accept only the API token, not the cluster credential",
        _ => "authentication required",
    };

    static byte[] Hash(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));
}
