using System.Text;

namespace Sock.Pipes;

/// <summary>
/// <c>-o FILE</c> (the bytes of both directions, as they passed) and <c>-x FILE</c> (the same as a hex
/// dump, each chunk headed by its direction and size). Thread-safe: both directions write to one log.
/// </summary>
public sealed class TrafficLog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly FileStream? _raw;
    private readonly FileStream? _hex;

    public TrafficLog(string? rawPath, string? hexPath)
    {
        try
        {
            _raw = rawPath is null ? null : new FileStream(rawPath, FileMode.Create, FileAccess.Write, FileShare.Read);
            _hex = hexPath is null ? null : new FileStream(hexPath, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _raw?.Dispose();
            throw new SockException($"cannot write {(_raw is null ? rawPath : hexPath)}: {e.Message}", e);
        }
    }

    public void Sent(ReadOnlySpan<byte> data) => Write("sent", data);

    public void Received(ReadOnlySpan<byte> data) => Write("received", data);

    private void Write(string direction, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            _raw?.Write(data);
            _raw?.Flush();
            if (_hex is null) return;
            _hex.Write(Encoding.ASCII.GetBytes($"# {direction} {data.Length} bytes\n{HexDump.Format(data)}"));
            _hex.Flush();
        }
    }

    public void Dispose()
    {
        _raw?.Dispose();
        _hex?.Dispose();
    }
}
