using ExpressHa.Config;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace ExpressHa.Service.Api;

/// <summary>Reads the alert filters (minLevel, module, since, last) of GET /v1/alerts and /v1/cluster/alerts: an
/// unknown, repeated or malformed parameter is a reason for a 400.</summary>
public static class AlertQueryReader
{
    public static AlertQuery? Read(IQueryCollection q, out string? error)
    {
        error = Check(q, ["minLevel", "module", "since", "last"]);
        if (error != null) return null;
        string? minLevel = q["minLevel"];
        if (minLevel != null && minLevel is not (AlertLevels.Info or AlertLevels.Warning or AlertLevels.Error))
        {
            error = "minLevel must be info, warning or error";
            return null;
        }
        var since = ReadTime(q, "since", out error);
        if (error != null) return null;
        int? last = null;
        string? lastText = q["last"];
        if (lastText != null)
        {
            if (!int.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                error = "last must be a positive whole number";
                return null;
            }
            last = n;
        }
        return new AlertQuery(minLevel, q["module"], since, last);
    }

    /// <summary>A reason when the query holds a parameter not in <paramref name="allowed"/> or one given twice.</summary>
    public static string? Check(IQueryCollection q, string[] allowed)
    {
        foreach (var key in q.Keys)
        {
            if (!allowed.Contains(key))
                return $"unknown query parameter '{key}'; " + (allowed.Length == 0 ? "this route takes none" : "use " + string.Join(", ", allowed));
            if (q[key].Count != 1) return $"query parameter '{key}' given {q[key].Count} times";
        }
        return null;
    }

    public static DateTimeOffset? ReadTime(IQueryCollection q, string name, out string? error)
    {
        error = null;
        string? text = q[name];
        if (text == null) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        error = $"{name} must be an ISO 8601 time such as 2025-01-31T12:00:00Z";
        return null;
    }
}
