using System.Security.Cryptography;
using System.Text;
using ExpressHa.Api;

namespace ExpressHa.Service.Api;

/// <summary>Who presented a credential: nobody we know, the operator (API token), the read-only role (read-only
/// token) or a node (cluster credential).</summary>
public enum ApiCaller { None, Operator, ReadOnly, Node }

/// <summary>Why a caller may not use a route: the error id (403) and the message.</summary>
public sealed record ApiRefusal(string Code, string Message);

/// <summary>Pure rules of the API's credentials: the operator's token opens the operator routes only, the read-only
/// token opens their reads (and the dry-run config push, checked by its handler), the cluster-key credential opens the
/// node-to-node routes (<c>/v1/internal/*</c>) only.</summary>
public sealed class ApiAuthorization
{
    const string Scheme = "Bearer ";
    readonly byte[] _operatorHash;
    readonly byte[]? _readOnlyHash;
    readonly byte[]? _nodeHash;

    /// <param name="operatorToken">The API token; required.</param>
    /// <param name="clusterCredential">The credential derived from the cluster key; empty: no node-to-node route opens.</param>
    /// <param name="readOnlyToken">The read-only token; empty: no read-only role.</param>
    public ApiAuthorization(string operatorToken, string? clusterCredential, string? readOnlyToken = null)
    {
        if (string.IsNullOrEmpty(operatorToken)) throw new ArgumentException("the API token is empty", nameof(operatorToken));
        if (readOnlyToken == operatorToken) throw new ArgumentException("the read-only token is the API token", nameof(readOnlyToken));
        _operatorHash = Hash(operatorToken);
        _readOnlyHash = string.IsNullOrEmpty(readOnlyToken) ? null : Hash(readOnlyToken);
        _nodeHash = string.IsNullOrEmpty(clusterCredential) ? null : Hash(clusterCredential);
    }

    /// <summary>The caller named by an Authorization header (null or several headers: none).</summary>
    public ApiCaller Identify(IReadOnlyList<string?>? authorizationHeaders)
    {
        if (authorizationHeaders is not { Count: 1 }) return ApiCaller.None;
        var value = authorizationHeaders[0];
        if (value == null || value.Length <= Scheme.Length || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return ApiCaller.None;
        return IdentifyToken(value[Scheme.Length..].Trim());
    }

    /// <summary>The caller a bare token stands for (the web UI's sign-in). Every hash is always compared, in constant
    /// time, so timing tells nothing about which credential came close.</summary>
    public ApiCaller IdentifyToken(string? token)
    {
        if (string.IsNullOrEmpty(token)) return ApiCaller.None;
        var presented = Hash(token);
        var isOperator = CryptographicOperations.FixedTimeEquals(presented, _operatorHash);
        var isReadOnly = CryptographicOperations.FixedTimeEquals(presented, _readOnlyHash ?? new byte[32]) && _readOnlyHash != null;
        var isNode = CryptographicOperations.FixedTimeEquals(presented, _nodeHash ?? new byte[32]) && _nodeHash != null;
        return isOperator ? ApiCaller.Operator : isReadOnly ? ApiCaller.ReadOnly : isNode ? ApiCaller.Node : ApiCaller.None;
    }

    /// <summary>Whether a route pattern (as mapped, e.g. "/v1/internal/actions") belongs to the node-to-node API.</summary>
    public static bool IsNodeRoute(string? routePattern) => ApiRoutes.IsNodeToNode(routePattern);

    /// <summary>Routes the read-only role may call besides every GET: the config push (its handler lets only a dry run
    /// through) and signing out of the web UI.</summary>
    static readonly ApiRoute[] ReadOnlyWrites = [ApiRoutes.ConfigPush, ApiRoutes.SessionSignOut];

    /// <summary>Whether a (method, route pattern) changes nothing: what the read-only role may call.</summary>
    public static bool IsReadOnlyAllowed(string method, string? routePattern)
        => HttpMethodsSafe(method)
            || ReadOnlyWrites.Any(w => string.Equals(w.Method, method, StringComparison.OrdinalIgnoreCase) && string.Equals(w.Pattern, routePattern, StringComparison.OrdinalIgnoreCase));

    static bool HttpMethodsSafe(string method)
        => string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase) || string.Equals(method, "HEAD", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when the caller may use the route; otherwise why not (answered 403).</summary>
    public static ApiRefusal? Refusal(ApiCaller caller, string method, string? routePattern) => (caller, IsNodeRoute(routePattern)) switch
    {
        (ApiCaller.Node, true) or (ApiCaller.Operator, false) => null,
        (ApiCaller.ReadOnly, false) => IsReadOnlyAllowed(method, routePattern) ? null : ReadOnlyRefusal,
        (ApiCaller.Operator or ApiCaller.ReadOnly, true) => new(ErrorCodes.Forbidden, "node-to-node routes accept only the cluster credential, not an API token"),
        (ApiCaller.Node, false) => new(ErrorCodes.Forbidden, "operator routes accept only the API token, not the cluster credential"),
        _ => new(ErrorCodes.Unauthorized, "authentication required"),
    };

    public static ApiRefusal ReadOnlyRefusal { get; } = new(ErrorCodes.ReadOnly,
        "the read-only token may look at the cluster but not change it; sign in with the API token (cluster.security.apiTokenFile) to do this");

    static byte[] Hash(string s) => SHA256.HashData(Encoding.UTF8.GetBytes(s));
}
