using System.Text;
using Sock.Chat.Accounts;

namespace Sock.Chat.Irc;

/// <summary>
/// The session's cold state: what only SASL, labeled-response, batches, draft/multiline, metadata
/// subscriptions and guest read markers use. Memory per idle client (docs/BENCHMARKS.md): as fields
/// of the session these were ~100 bytes every client carried; here they are one reference until a
/// client first needs one of them. Written only from the session's own thread (its commands);
/// read from others too (a fan-out's <see cref="Emit"/> checks the batch and capture), which
/// read through <c>_cold?</c> and so never make it.
/// </summary>
public sealed partial class IrcSession
{
    private sealed class ColdState
    {
        public string? SaslMechanism;
        public StringBuilder? SaslBuffer;
        public ScramServer? Scram;
        public string? ScramVerified;
        public Dictionary<string, DateTimeOffset>? GuestMarkers;
        public HashSet<string>? MetadataSubscriptions;
        public MultilineBatch? OpenMultiline;
        // A batch refused part-way: its remaining lines and its BATCH -id are dropped without more errors.
        public string? AbandonedBatch;
        public List<string>? CapturedLines;
        public string? BatchTag;
        public int CaptureThread;
        public int BatchThread;
        public int BatchCount;
    }

    private ColdState? _cold;

    private ColdState Cold => Volatile.Read(ref _cold) ?? Interlocked.CompareExchange(ref _cold, new ColdState(), null) ?? _cold!;

    // Setting null (or 0) where nothing was ever set makes nothing.
    private string? SaslMechanism { get => _cold?.SaslMechanism; set { if (value is not null || _cold is not null) Cold.SaslMechanism = value; } }
    private StringBuilder? SaslBuffer { get => _cold?.SaslBuffer; set { if (value is not null || _cold is not null) Cold.SaslBuffer = value; } }
    private ScramServer? Scram { get => _cold?.Scram; set { if (value is not null || _cold is not null) Cold.Scram = value; } }
    // SCRAM: the account whose proof held; success is sent once the client has checked our signature ("+").
    private string? ScramVerified { get => _cold?.ScramVerified; set { if (value is not null || _cold is not null) Cold.ScramVerified = value; } }
    // A guest's read markers, for this connection only (bounded); made on the first MARKREAD.
    private Dictionary<string, DateTimeOffset>? GuestMarkers { get => _cold?.GuestMarkers; set { if (value is not null || _cold is not null) Cold.GuestMarkers = value; } }
    // The metadata keys this client subscribed to (made on the first SUB).
    private HashSet<string>? MetadataSubscriptions { get => _cold?.MetadataSubscriptions; set { if (value is not null || _cold is not null) Cold.MetadataSubscriptions = value; } }
    private MultilineBatch? OpenMultiline { get => _cold?.OpenMultiline; set { if (value is not null || _cold is not null) Cold.OpenMultiline = value; } }
    private string? AbandonedBatch { get => _cold?.AbandonedBatch; set { if (value is not null || _cold is not null) Cold.AbandonedBatch = value; } }
    // Labeled-response: while a labeled command runs, lines for this client from this thread are collected.
    private List<string>? CapturedLines { get => _cold?.CapturedLines; set { if (value is not null || _cold is not null) Cold.CapturedLines = value; } }
    private int CaptureThread { get => _cold?.CaptureThread ?? 0; set { if (value != 0 || _cold is not null) Cold.CaptureThread = value; } }
    // A server batch being written: the tag its lines get, and the thread writing it.
    private string? BatchTag { get => _cold?.BatchTag; set { if (value is not null || _cold is not null) Cold.BatchTag = value; } }
    private int BatchThread { get => _cold?.BatchThread ?? 0; set { if (value != 0 || _cold is not null) Cold.BatchThread = value; } }
    private int BatchCount { get => _cold?.BatchCount ?? 0; set { if (value != 0 || _cold is not null) Cold.BatchCount = value; } }
}
