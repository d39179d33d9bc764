using Sock.Net.Proxy;

namespace Sock.Fuzz;

/// <summary>
/// A proxy's reply, read the way ProxyConnector's handshake reads it: parse what has arrived, and
/// on Incomplete read up to the length the parser asked for (never past the reply's end). The
/// first byte picks which reply (<see cref="ProxyReplyKind"/>) and how many bytes a read returns.
/// The parsers promise no exceptions, an Incomplete that asks for more than it has (or the read
/// loop would stall), and a verdict whose length lies within the bytes seen.
/// </summary>
public static class ProxyHarness
{
    public static void Run(byte[] input)
    {
        if (input.Length == 0) return;
        var kinds = Enum.GetValues<ProxyReplyKind>();
        var kind = kinds[input[0] % kinds.Length];
        var read = 1 + input[0] / kinds.Length;
        var data = input.AsSpan(1);
        var have = 0;
        while (true)
        {
            var reply = ProxyReplies.Parse(kind, data[..have]);
            if (reply.Status != ProxyReplyStatus.Incomplete)
            {
                if (reply.Length < 0 || reply.Length > have)
                    throw new FuzzFindingException($"{kind}: {reply.Status} of length {reply.Length} after {have} bytes");
                if (reply.Status is ProxyReplyStatus.Refused or ProxyReplyStatus.Malformed && reply.Message.Length == 0)
                    throw new FuzzFindingException($"{kind}: {reply.Status} without a message");
                return;
            }
            if (reply.Length <= have)
                throw new FuzzFindingException($"{kind}: Incomplete asks for {reply.Length} bytes after {have}");
            var n = Math.Min(Math.Min(reply.Length - have, read), data.Length - have);
            if (n == 0) return; // the proxy closed: the handshake reports it
            have += n;
        }
    }
}
