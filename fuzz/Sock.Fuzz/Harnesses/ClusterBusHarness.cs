using System.Text.Json;
using Sock.Chat.Cluster;

namespace Sock.Fuzz;

/// <summary>
/// A message on the cluster's Redis bus, read the way a node reads it: the room script's
/// "R epoch first-offset payload" header, then each event's JSON (one per line: a batch) with <see cref="WireEventReader"/>
/// (node notices, "U json", go through the generated reader). Malformed JSON is a JsonException,
/// a wrong token type an InvalidOperationException or FormatException (the bus loop logs those and
/// goes on); anything else is a finding, and so is an event that does not survive a write and a
/// second read unchanged.
/// </summary>
public static class ClusterBusHarness
{
    public static void Run(byte[] input)
    {
        var payload = input.AsSpan();
        if (ClusterNode.TryReadRoomEvent(payload, out _, out var offset, out var start))
        {
            if (offset < 1 || start > input.Length) throw new FuzzFindingException($"header read as offset {offset}, payload at {start} of {input.Length}");
            payload = payload[start..];
        }
        while (true)
        {
            var nl = payload.IndexOf((byte)'\n');
            ReadOne(nl < 0 ? payload : payload[..nl]);
            if (nl < 0) return;
            payload = payload[(nl + 1)..];
        }
    }

    private static void ReadOne(ReadOnlySpan<byte> payload)
    {
        WireEvent? w;
        try { w = ClusterJson.Event(payload); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException) { return; }
        if (w is null) return;
        var again = ClusterJson.Event(ClusterJson.Bytes(w))!;
        if (ClusterJson.Write(again) != ClusterJson.Write(w)) throw new FuzzFindingException("an event changed between a write and a second read");
    }
}
