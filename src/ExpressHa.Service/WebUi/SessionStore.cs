using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ExpressHa.Service.Api;

namespace ExpressHa.Service.WebUi;

/// <summary>Server-side web UI sessions: a random id in an HttpOnly cookie stands for a role until it is idle too long,
/// reaches its lifetime, or signs out. Only the id's SHA-256 is kept, so the table holds nothing a cookie could be
/// rebuilt from. Thread-safe.</summary>
public sealed class SessionStore(TimeSpan idleTimeout, TimeSpan lifetime, TimeProvider? time = null)
{
    public const int MaxSessions = 1000;
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    sealed record Session(ApiCaller Role, DateTimeOffset Created, DateTimeOffset LastUsed);

    /// <summary>Starts a session for a role and returns its id (the cookie's value).</summary>
    public string Create(ApiCaller role)
    {
        if (role is not (ApiCaller.Operator or ApiCaller.ReadOnly)) throw new ArgumentException("only the operator and read-only roles sign in", nameof(role));
        Sweep();
        var id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = _time.GetUtcNow();
        _sessions[Key(id)] = new Session(role, now, now);
        return id;
    }

    /// <summary>The role of a live session (and marks it used), or None.</summary>
    public ApiCaller Use(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64) return ApiCaller.None;
        var key = Key(id);
        if (!_sessions.TryGetValue(key, out var s)) return ApiCaller.None;
        var now = _time.GetUtcNow();
        if (Expired(s, now)) { _sessions.TryRemove(key, out _); return ApiCaller.None; }
        _sessions[key] = s with { LastUsed = now };
        return s.Role;
    }

    /// <summary>Whether a session is still live, without counting as use (a long event stream checks this).</summary>
    public bool IsLive(string? id)
        => !string.IsNullOrEmpty(id) && _sessions.TryGetValue(Key(id), out var s) && !Expired(s, _time.GetUtcNow());

    public void End(string? id)
    {
        if (!string.IsNullOrEmpty(id)) _sessions.TryRemove(Key(id), out _);
    }

    public int Count => _sessions.Count;

    bool Expired(Session s, DateTimeOffset now) => now - s.LastUsed > idleTimeout || now - s.Created > lifetime;

    /// <summary>Drops expired sessions, and the least recently used ones beyond the limit.</summary>
    void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (key, s) in _sessions)
            if (Expired(s, now)) _sessions.TryRemove(key, out _);
        var excess = _sessions.Count - (MaxSessions - 1);
        if (excess > 0)
            foreach (var (key, _) in _sessions.OrderBy(kv => kv.Value.LastUsed).Take(excess).ToList())
                _sessions.TryRemove(key, out _);
    }

    static string Key(string id) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}
