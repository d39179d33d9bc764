using Sock.Chat;
using Sock.Chat.Transport;

namespace Sock.Fuzz;

/// <summary>
/// The chat port's first-bytes detector, as ChatServer.DetectAsync runs it: the bytes seen so far
/// grow by one read (the first byte picks the read size, up to the listener's 512) and are
/// classified after each, with and without TLS configured, until a verdict; a sender that stalls
/// is judged by <see cref="HttpRequestLine.CouldBeRequestLine"/>.
/// </summary>
public static class HttpDetectHarness
{
    public static void Run(byte[] input)
    {
        if (input.Length < 2) return;
        var read = 1 + input[0] % 512;
        var data = input.AsSpan(1);
        foreach (var tls in (bool[])[false, true])
        {
            for (var seen = Math.Min(read, data.Length); ; seen = Math.Min(seen + read, data.Length))
            {
                var prefix = data[..seen];
                var verdict = ChatServer.Classify(prefix, tls);
                _ = HttpRequestLine.Classify(prefix);
                if (verdict is not null || seen == data.Length)
                {
                    _ = HttpRequestLine.CouldBeRequestLine(prefix);
                    break;
                }
            }
        }
    }
}
