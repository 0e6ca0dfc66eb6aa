using System.Text;
using System.Text.Json;
using ExpressHa.Api;
using ExpressHa.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static ExpressHa.Service.Api.ApiResponses;

namespace ExpressHa.Service.Api;

/// <summary>What every route group's handlers share: the node (<see cref="IClusterControl"/>), the log, the body
/// reader and the shapes of an answer (an operation's result, a started job).</summary>
sealed class ApiHandlers(IClusterControl control, ILogger log, CancellationToken stopping)
{
    public IClusterControl Control { get; } = control;

    // Operations run on the server's lifetime, not the request's: a client that hangs up must not cut a
    // group start or a config commit in half.
    public CancellationToken Ct => stopping;

    public async Task GroupTarget(HttpContext c, string name, Func<string, string?, CancellationToken, Task<OperationResult>> op)
    {
        var (body, error) = await ReadBody<GroupTargetBody>(c, allowEmpty: true);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        var node = body?.Node;
        if (node != null && node.Length == 0) { await WriteError(c, 400, ErrorCodes.BadRequest, "node is empty; leave it out to let the group's policy choose"); return; }
        await Answer(c, await op(name, node, Ct));
    }

    public async Task Operation(HttpContext c, Func<CancellationToken, Task<OperationResult>> op)
    {
        var (_, error) = await ReadBody<EmptyBody>(c, allowEmpty: true);
        if (error != null) { await WriteError(c, 400, ErrorCodes.BadRequest, error); return; }
        await Answer(c, await op(Ct));
    }

    public Task AnswerJob(HttpContext c, JobStart? start)
    {
        if (start == null) throw new InvalidOperationException("the node returned no job");
        if (start.Job != null) return WriteJson(c, 202, start.Job);
        return Answer(c, start.Refusal ?? throw new InvalidOperationException("the node returned neither a job nor a refusal"));
    }

    public Task Answer(HttpContext c, OperationResult? r)
    {
        if (r == null) throw new InvalidOperationException("the node returned no result");
        if (r.Ok) return WriteJson(c, 200, r);
        var status = r.Code != null && r.Code.EndsWith("NotFound", StringComparison.Ordinal) ? 404 : 409;
        log.LogInformation("{Method} {Path} refused: {Code} {Message}", c.Request.Method, c.Request.Path, r.Code, r.Message);
        return WriteJson(c, status, r);
    }

    /// <summary>Reads and parses the body; any problem is a reason for a 400, never an exception.</summary>
    public static async Task<(T? Value, string? Error)> ReadBody<T>(HttpContext c, bool allowEmpty) where T : class
    {
        string text;
        using (var reader = new StreamReader(c.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            try
            {
                text = await reader.ReadToEndAsync(c.RequestAborted);
            }
            catch (DecoderFallbackException)
            {
                return (null, "the body is not valid UTF-8");
            }
        }
        if (string.IsNullOrWhiteSpace(text))
            return allowEmpty ? (null, null) : (null, "the request needs a JSON body");
        try
        {
            var value = JsonSerializer.Deserialize<T>(text, ApiJson.Strict);
            if (value == null) return allowEmpty ? (null, null) : (null, "the body is JSON null; an object was expected");
            return (value, null);
        }
        catch (JsonException ex)
        {
            return (null, "malformed JSON: " + ex.Message);
        }
        catch (NotSupportedException ex)
        {
            return (null, "malformed JSON: " + (typeof(T) == typeof(List<PlanAction>)
                ? $"every action needs a known \"{PlanActionKinds.Discriminator}\" ({string.Join(", ", PlanActionKinds.All.Select(k => k.Kind))})"
                : ex.Message));
        }
        catch (ArgumentException ex)
        {
            return (null, "malformed JSON: " + ex.Message);
        }
    }
}

/// <summary>The body of routes that take no arguments: empty, {} or nothing else.</summary>
sealed record EmptyBody;
