using System.Net.WebSockets;

namespace Sock.Pipes.WebSockets;

/// <summary>RFC 6455 §7.4.1 close codes in words, for "websocket closed by peer: 1000 normal".</summary>
public static class WebSocketCloseCodes
{
    public static string Name(int code) => code switch
    {
        1000 => "normal",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1005 => "no status",
        1006 => "abnormal closure",
        1007 => "invalid payload (not UTF-8)",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "extension required",
        1011 => "internal error",
        1012 => "service restart",
        1013 => "try again later",
        1014 => "bad gateway",
        1015 => "TLS handshake failed",
        >= 3000 and <= 3999 => "registered code",
        >= 4000 and <= 4999 => "application code",
        _ => "unknown code",
    };

    /// <summary>"1000 normal" or "1008 policy violation (bad token)".</summary>
    public static string Describe(WebSocketCloseStatus? status, string? description)
    {
        var code = (int)(status ?? WebSocketCloseStatus.Empty);
        var text = $"{code} {Name(code)}";
        return string.IsNullOrEmpty(description) ? text : $"{text} ({description})";
    }

    /// <summary>A close a peer may end a session with and still have it count as success.</summary>
    public static bool IsClean(WebSocketCloseStatus? status) =>
        status is null or WebSocketCloseStatus.NormalClosure or WebSocketCloseStatus.EndpointUnavailable or WebSocketCloseStatus.Empty;
}
