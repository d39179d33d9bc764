namespace Sock.Chat.Accounts;

/// <summary>
/// Backoff after failed logins, per account and per address: after <see cref="FreeFailures"/> failures
/// each attempt must wait twice as long as the last (1 s, 2 s, 4 s … up to 5 minutes); attempts
/// inside the wait are refused without checking the password. A success clears the account's count.
/// </summary>
public sealed class LoginThrottle(TimeProvider? clock = null)
{
    public const int FreeFailures = 3;
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, (int Failures, DateTimeOffset Until)> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    /// <summary>How long the caller must still wait before trying <paramref name="keys"/> (zero: go ahead).</summary>
    public TimeSpan Wait(params string[] keys)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            var wait = TimeSpan.Zero;
            foreach (var k in keys)
                if (_entries.TryGetValue(k, out var e) && e.Until > now && e.Until - now > wait) wait = e.Until - now;
            return wait;
        }
    }

    public void Failed(params string[] keys)
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (_entries.Count > 50_000) Prune(now);
            foreach (var k in keys)
            {
                var failures = _entries.GetValueOrDefault(k).Failures + 1;
                var wait = failures <= FreeFailures ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(MaxWait.TotalSeconds, Math.Pow(2, failures - FreeFailures - 1)));
                _entries[k] = (failures, now + wait);
            }
        }
    }

    public void Succeeded(string key)
    {
        lock (_gate) _entries.Remove(key);
    }

    /// <summary>Bounded: entries whose wait ended long ago are forgotten.</summary>
    private void Prune(DateTimeOffset now)
    {
        foreach (var (k, e) in _entries.ToList())
            if (now - e.Until > TimeSpan.FromMinutes(15)) _entries.Remove(k);
    }
}
