namespace Sock.Chat.Transport;

/// <summary>Token bucket: lines beyond the rate are delayed (never dropped); 0 lines/s means off.</summary>
internal sealed class FloodGate(double linesPerSecond, int burst)
{
    private double _tokens = burst;
    private long _last = Environment.TickCount64;

    /// <summary>How long to wait before handling the next line.</summary>
    public TimeSpan Take()
    {
        if (linesPerSecond <= 0) return TimeSpan.Zero;
        var now = Environment.TickCount64;
        _tokens = Math.Min(burst, _tokens + (now - _last) / 1000.0 * linesPerSecond);
        _last = now;
        _tokens -= 1;
        if (_tokens >= 0) return TimeSpan.Zero;
        return TimeSpan.FromSeconds(-_tokens / linesPerSecond);
    }
}
