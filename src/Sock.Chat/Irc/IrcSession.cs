using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sock.Chat.Transport;

namespace Sock.Chat.Irc;

/// <summary>
/// The IRC client protocol (modern.ircdocs.horse with IRCv3): each line is looked up in
/// <see cref="IrcCommandTable"/> and handled by a method in the file of its family under Commands/;
/// hub events are encoded by IrcSession.Encode.cs. This file holds the session's state, dispatch and output.
/// </summary>
public sealed partial class IrcSession : ChatConnection
{
    internal static readonly string Version = "sock-" + (typeof(IrcSession).Assembly.GetName().Version?.ToString(3) ?? "0");
    /// <summary>Client tag data allowed in one message (IRCv3 message-tags: 4096 bytes with '@' and the space).</summary>
    private const int MaxClientTagBytes = 4096;
    /// <summary>Why a cluster node without Redis refuses (nothing is accepted that could be lost).</summary>
    private const string Unavailable = "this server cannot reach its cluster store (Redis) right now; nothing was sent, try again in a moment";
    private IrcCap _caps;
    private int _capVersion;
    private string? _pendingNick;
    // The last nick refused as in use before registration (REGISTER * then names it).
    private string? _refusedNick;
    private bool _userGiven;
    private bool? _passOk;
    private bool _capNegotiating;
    private bool _registered;
    // When the keep-alive PING went out, in UTC ticks; 0: none outstanding (a long, not a
    // DateTimeOffset?, which is 24 bytes in every session).
    private long _pingSent;

    public IrcSession(ChatHub hub, Socket socket, Stream stream, IPEndPoint remote, SendCoalescer? sender = null)
        : base(hub, socket, stream, remote, sender)
    {
        if (stream is System.Net.Security.SslStream { RemoteCertificate: { } cert })
            CertificateFingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(cert.GetRawCertData())).ToLowerInvariant();
    }

    public override string Protocol => "irc";
    /// <summary>True when the connection is TLS (WHOIS 671, the sts value).</summary>
    public bool IsSecure => Stream is System.Net.Security.SslStream;
    private string Server => Options.ServerName;
    private string Me => _registered ? Nick : _pendingNick ?? "*";
    internal bool Has(IrcCap cap) => (_caps & cap) != 0;
    internal bool Has(IrcCap caps, bool all) => all ? (_caps & caps) == caps : Has(caps);

    protected override void OnStart() { }

    protected override byte[] FinalMessage(string reason) =>
        Encoding.UTF8.GetBytes($"ERROR :Closing link: ({UserName}@{Host}) [{reason}]\r\n");

    public override void Tick(DateTimeOffset now)
    {
        if (IsClosing) return;
        if (!_registered)
        {
            if (now - Connected > Options.RegistrationTimeout) Disconnect("Registration timed out");
            return;
        }
        if (_pingSent != 0)
        {
            var sent = new DateTimeOffset(_pingSent, TimeSpan.Zero);
            if (LastHeard > sent) _pingSent = 0;
            else if (now - sent > Options.PingTimeout) Disconnect($"Ping timeout: {(int)(now - LastHeard).TotalSeconds} seconds");
        }
        else if (now - LastHeard > Options.PingInterval)
        {
            _pingSent = now.UtcTicks;
            Emit($"PING :{Server}");
        }
    }

    protected override ValueTask OnLineAsync(string line, LineMarks flags)
    {
        if (flags.HasFlag(LineMarks.Cut))
        {
            Reply(Err.InputTooLong, "Input line was too long");
            return ValueTask.CompletedTask;
        }
        // Client tag data is limited on its own (message-tags): a longer tag section is refused whole.
        if (line.StartsWith('@') && line.IndexOf(' ', StringComparison.Ordinal) is var space && (space < 0 ? line.Length : space + 1) > MaxClientTagBytes)
        {
            Reply(Err.InputTooLong, "Input line was too long");
            return ValueTask.CompletedTask;
        }
        var m = IrcMessage.Parse(line);
        if (m is null) return ValueTask.CompletedTask;
        if (flags.HasFlag(LineMarks.InvalidUtf8))
        {
            // UTF8ONLY: refused, not passed on with replacement characters the sender did not write.
            Fail(Word(m.Command), "INVALID_UTF8", "Message rejected: this server takes only UTF-8");
            return ValueTask.CompletedTask;
        }
        var label = Has(IrcCap.LabeledResponse) && m.Tags?.GetValueOrDefault("label") is { Length: > 0 and <= 64 } l ? l : null;
        // A labeled BATCH +id is answered when the batch closes (draft/multiline keeps the label till then).
        if (label is null || (m.Command == "BATCH" && m.Param(0).StartsWith('+') && Has(IrcCap.Multiline))) Dispatch(m);
        else Labeled(label, () => Dispatch(m));
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs a labeled command: what it sends this client is collected, then sent with the label.</summary>
    private void Labeled(string label, Action command)
    {
        CapturedLines = [];
        CaptureThread = Environment.CurrentManagedThreadId;
        try
        {
            command();
        }
        finally
        {
            var lines = CapturedLines;
            CapturedLines = null;
            SendLabeled(label, lines);
        }
    }

    /// <summary>The table's shared checks, then the handler.</summary>
    private void Dispatch(IrcMessage m)
    {
        if (m.Tags is not null && TakeBatched(m)) return; // a line of a multiline batch (Commands/Multiline.cs)
        if (!IrcCommandTable.ByName.TryGetValue(m.Command, out var command))
        {
            if (_registered) Reply(Err.UnknownCommand, m.Command, "Unknown command");
            else Reply(Err.NotRegistered, "You have not registered");
            return;
        }
        if (!_registered && !command.BeforeRegistration) { Reply(Err.NotRegistered, "You have not registered"); return; }
        if (command.OperOnly && !IsOperator) { Reply(Err.NoPrivileges, "Permission Denied- You're not an IRC operator"); return; }
        if (m.Params.Count < command.MinParams || (command.MinParams > 0 && m.Param(command.MinParams - 1).Length == 0))
        {
            Reply(Err.NeedMoreParams, m.Command, "Not enough parameters");
            return;
        }
        command.Handler(this, m);
    }

    /// <summary>
    /// Sends one line (no CRLF). During a labeled command the lines this thread produces for this
    /// client are held back, so they can carry the label (or go in a labeled-response batch).
    /// </summary>
    private void Emit(string line)
    {
        // Inside a batch this thread opened (Commands/Metadata.cs InBatch), its lines carry the batch's tag.
        if (_cold is { } cold)
        {
            if (cold.BatchTag is { } tag && Environment.CurrentManagedThreadId == cold.BatchThread) line = WithTag(line, tag);
            if (cold.CapturedLines is { } captured && Environment.CurrentManagedThreadId == cold.CaptureThread) { captured.Add(line); return; }
        }
        SendRaw(Encoding.UTF8.GetBytes(line + "\r\n"));
    }

    private bool Capturing => CapturedLines is not null && Environment.CurrentManagedThreadId == CaptureThread;

    private void SendLabeled(string label, List<string> lines)
    {
        var tag = "label=" + IrcMessage.EscapeTag(label);
        if (lines.Count == 0) { Emit($"@{tag} :{Server} ACK"); return; }
        if (lines.Count == 1 || !Has(IrcCap.Batch) || IsOneBatch(lines)) { foreach (var l in lines.Take(1)) Emit(WithTag(l, tag)); foreach (var l in lines.Skip(1)) Emit(l); return; }
        var id = NewBatchId();
        Emit($"@{tag} :{Server} BATCH +{id} labeled-response");
        foreach (var l in lines) Emit(l.Contains("batch=", StringComparison.Ordinal) && l.StartsWith('@') ? l : WithTag(l, "batch=" + id));
        Emit($":{Server} BATCH -{id}");
    }

    /// <summary>Adds a tag in front of a line's tags (or gives it a tag section).</summary>
    private static string WithTag(string line, string tag) => line.StartsWith('@') ? "@" + tag + ";" + line[1..] : "@" + tag + " " + line;

    internal string NewBatchId() => "b" + (++BatchCount).ToString(CultureInfo.InvariantCulture);

    /// <summary>A numeric reply: ":server NNN nick params…" (the last parameter with ':' when it needs one).</summary>
    internal void Reply(string numeric, params string[] args) => ReplyTo(numeric, true, args);

    internal void ReplyTo(string numeric, bool trailing, params string[] args)
    {
        var all = new string[args.Length + 1];
        all[0] = Me;
        args.CopyTo(all, 1);
        Emit(new IrcMessage(numeric, all, Server).Format(forceTrailing: trailing));
    }

    /// <summary>IRCv3 standard replies: <c>FAIL COMMAND CODE [context…] :description</c>.</summary>
    internal void Fail(string command, string code, params string[] contextAndDescription) =>
        Emit(new IrcMessage("FAIL", [command, code, .. contextAndDescription], Server).Format(forceTrailing: true));

    /// <summary>A client's value echoed as one middle parameter: "*" when it could not be one (empty, a space, a leading ':').</summary>
    internal static string Word(string value) =>
        value.Length == 0 || value.Contains(' ', StringComparison.Ordinal) || value.StartsWith(':') ? "*" : value;

    internal static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static class Process
    {
        public static readonly DateTime StartTime = DateTime.UtcNow;
    }
}
