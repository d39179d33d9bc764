using System.Net;
using System.Text;
using Sock.Chat;
using Sock.Chat.Irc;
using Sock.Chat.Plain;

namespace Sock.Fuzz;

/// <summary>
/// Whole sessions over a real hub (in-memory history and accounts, no socket): the bytes go
/// through the same framing, decoding and command handling as a client's would. A second IRC
/// member, "peer", has created #fuzz and spoken there, so there is history to ask for and a nick
/// to give modes to; the fuzzed user is a server operator in #fuzz with the history capabilities.
/// The session's own read loop catches I/O errors; whatever else escapes it is a finding.
/// </summary>
public static class SessionHarness
{
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 40000);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static readonly string PeerLines =
        "NICK peer\r\nUSER peer 0 * :Peer\r\nJOIN #fuzz\r\nTOPIC #fuzz :a topic\r\n"
        + "PRIVMSG #fuzz :first\r\nPRIVMSG #fuzz :second\r\n@+draft/reply=x PRIVMSG #fuzz :third\r\nPRIVMSG fuzz :hello\r\n";

    private static readonly string Registration =
        "CAP LS 302\r\nNICK fuzz\r\nUSER fuzz 0 * :Fuzz\r\n"
        + "CAP REQ :batch server-time message-tags echo-message draft/chathistory draft/event-playback labeled-response draft/multiline\r\n"
        + "CAP END\r\nOPER fuzz fuzz\r\nJOIN #fuzz\r\nPRIVMSG #fuzz :mine\r\n";

    public static void Irc(byte[] input) => RunIrc(input, prefix: null);

    public static void ChatHistory(byte[] input) => RunIrc(input, "CHATHISTORY ");

    public static void Mode(byte[] input) => RunIrc(input, "MODE ");

    public static void Plain(byte[] input)
    {
        var hub = NewHub();
        using var cts = new CancellationTokenSource(Bound);
        var session = new PlainSession(hub, null!, new FuzzStream(input, chunk: 512), Remote);
        session.RunAsync(ReadOnlyMemory<byte>.Empty, null, cts.Token).GetAwaiter().GetResult();
        Close(hub);
    }

    private static void RunIrc(byte[] input, string? prefix)
    {
        var hub = NewHub();
        using var cts = new CancellationTokenSource(Bound);
        // The peer's stream stays open (its session waits for more) until the fuzzed session ends.
        var peerStream = new HeldStream(Encoding.UTF8.GetBytes(PeerLines));
        var peer = new IrcSession(hub, null!, peerStream, Remote).RunAsync(ReadOnlyMemory<byte>.Empty, null, cts.Token);
        var bytes = Encoding.UTF8.GetBytes(Registration).Concat(prefix is null ? input : Prefixed(input, prefix)).ToArray();
        var session = new IrcSession(hub, null!, new FuzzStream(bytes, chunk: 1024), Remote);
        session.RunAsync(ReadOnlyMemory<byte>.Empty, null, cts.Token).GetAwaiter().GetResult();
        peerStream.End();
        peer.GetAwaiter().GetResult();
        Close(hub);
    }

    private static void Close(ChatHub hub)
    {
        hub.History.DisposeAsync().AsTask().GetAwaiter().GetResult();
        hub.Accounts.Store.Dispose();
    }

    /// <summary>Each line of the input with <paramref name="prefix"/> in front (the command under test).</summary>
    private static byte[] Prefixed(byte[] input, string prefix)
    {
        var head = Encoding.UTF8.GetBytes(prefix);
        var output = new List<byte>(input.Length + head.Length * 4);
        foreach (var range in input.AsSpan().Split((byte)'\n'))
        {
            output.AddRange(head);
            output.AddRange(input.AsSpan()[range]);
            output.Add((byte)'\n');
        }
        return [.. output];
    }

    private static ChatHub NewHub()
    {
        var options = new ChatServerOptions
        {
            ServerName = "fuzz.test",
            Operators = new Dictionary<string, string> { ["fuzz"] = "fuzz" },
            HistoryLength = 20,
            MaxLineBytes = 512,
            CloseGrace = TimeSpan.FromMilliseconds(200),
        };
        return new ChatHub(options);
    }

    /// <summary>A stream that, once its bytes are read, waits (as an idle client's socket does) until ended.</summary>
    private sealed class HeldStream(byte[] input) : Stream
    {
        private readonly FuzzStream _inner = new(input);
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void End() => _ended.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_inner.Remaining > 0) return _inner.Read(buffer.Span); // a zero-byte read: data is there
            await _ended.Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");
        public override void Write(byte[] buffer, int offset, int count) { }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
