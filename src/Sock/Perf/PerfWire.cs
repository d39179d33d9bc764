using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sock.Perf;

/// <summary>The control states iperf3 sends as one signed byte (iperf_api.h).</summary>
public enum PerfState : sbyte
{
    TestStart = 1,
    TestRunning = 2,
    TestEnd = 4,
    ParamExchange = 9,
    CreateStreams = 10,
    ServerTerminate = 11,
    ClientTerminate = 12,
    ExchangeResults = 13,
    DisplayResults = 14,
    IperfStart = 15,
    IperfDone = 16,
    AccessDenied = -2,
    ServerError = -1,
}

/// <summary>
/// iperf3's control-connection framing: a 37-byte cookie (36 characters and a NUL) that also opens
/// every data stream, one-byte states, and JSON blocks behind a 4-byte big-endian length. Every read
/// is bounded: a peer announcing a 4 GiB block gets an error, never an allocation.
/// </summary>
public static class PerfWire
{
    public const int CookieSize = 37;

    /// <summary>iperf3's UDP "connect" datagram and its reply (3.17+), written in host byte order.</summary>
    public const int UdpConnectMessage = 123456789, UdpConnectReply = 987654321;

    /// <summary>The same before iperf3 3.17 ("9876" and "6789" on a little-endian wire).</summary>
    public const int LegacyUdpConnectMessage = 0x36373839, LegacyUdpConnectReply = 0x39383736;

    /// <summary>iperf3's i_errno for "unable to receive parameters from client", sent with SERVER_ERROR.</summary>
    public const int ErrorReceiveParameters = 114;

    private const string CookieAlphabet = "abcdefghijklmnopqrstuvwxyz234567"; // iperf3's make_cookie

    public static byte[] NewCookie()
    {
        var cookie = new byte[CookieSize];
        for (var i = 0; i < CookieSize - 1; i++) cookie[i] = (byte)CookieAlphabet[RandomNumberGenerator.GetInt32(CookieAlphabet.Length)];
        return cookie;
    }

    /// <summary>The cookie as text (without its NUL), for logs and JSON; bytes outside printable ASCII shown as '?'.</summary>
    public static string CookieText(ReadOnlySpan<byte> cookie)
    {
        var text = new StringBuilder(CookieSize);
        foreach (var b in cookie[..Math.Min(cookie.Length, CookieSize - 1)]) text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        return text.ToString();
    }

    public static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, string what, CancellationToken ct)
    {
        var got = 0;
        while (got < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[got..], SocketFlags.None, ct);
            if (n == 0) throw new SockException($"perf: the peer closed the control connection while sending {what}");
            got += n;
        }
    }

    public static async Task<PerfState> ReadStateAsync(Socket control, CancellationToken ct)
    {
        var one = new byte[1];
        await ReadExactlyAsync(control, one, "a state", ct);
        return (PerfState)(sbyte)one[0];
    }

    public static async Task WriteStateAsync(Socket control, PerfState state, CancellationToken ct)
    {
        var one = new[] { (byte)(sbyte)state };
        await control.SendAsync(one, SocketFlags.None, ct);
    }

    /// <summary>SERVER_ERROR's payload: iperf3's i_errno and the system errno, 4 bytes each, big-endian.</summary>
    public static async Task WriteServerErrorAsync(Socket control, int iperfErrno, int errno, CancellationToken ct)
    {
        var packet = new byte[9];
        packet[0] = unchecked((byte)(sbyte)PerfState.ServerError);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(1), iperfErrno);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(5), errno);
        await control.SendAsync(packet, SocketFlags.None, ct);
    }

    public static async Task WriteJsonAsync<T>(Socket control, T value, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var packet = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(packet, body.Length);
        body.CopyTo(packet, 4);
        await control.SendAsync(packet, SocketFlags.None, ct);
    }

    /// <summary>Reads one length-prefixed JSON block of at most <paramref name="limit"/> bytes.</summary>
    public static async Task<T> ReadJsonAsync<T>(Socket control, JsonTypeInfo<T> type, int limit, string what, CancellationToken ct)
    {
        var header = new byte[4];
        await ReadExactlyAsync(control, header, what, ct);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0 || length > (uint)limit)
            throw new SockException($"perf: the peer announced {length} bytes of {what} (limit {limit}): not an iperf3 peer, or a lying one");
        var body = new byte[length];
        await ReadExactlyAsync(control, body, what, ct);
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? throw new SockException($"perf: the peer sent null {what}");
        }
        catch (JsonException e)
        {
            throw new SockException($"perf: the peer sent invalid {what}: {e.Message}", e);
        }
    }

    /// <summary>A stream's id as iperf3 numbers them (iperf_add_stream): 1, then 3, 4, 5…</summary>
    public static int StreamId(int index) => index == 0 ? 1 : index + 2;
}
