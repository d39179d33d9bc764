using System.Text.Json;

namespace Sock.Chat.Cluster;

/// <summary>
/// Reads a <see cref="WireEvent"/> from its UTF-8 JSON with <see cref="Utf8JsonReader"/>, field by
/// field. Every node parses every room event it receives: with the source-generated metadata reader
/// (property lookup by name, a converter per field) that was 9% of a node's CPU under the fan-out
/// load (perf), most of its cost per message beyond the deliveries. The nested objects (the joiner,
/// multi-line parts), rare, still go through the generated reader; unknown fields are skipped, as
/// STJ would, so a newer node's extra fields do not break an older one.
/// </summary>
internal static class WireEventReader
{
    /// <summary>The event, or null when <paramref name="utf8"/> is not a JSON object (JsonException for malformed JSON, as STJ).</summary>
    public static WireEvent? Read(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8);
        if (!r.Read() || r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("a room event is a JSON object");
        var w = new WireEvent();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = r.ValueSpan;
            r.Read();
            if (r.TokenType == JsonTokenType.Null) continue;
            switch (name.Length)
            {
                case 1:
                    switch (name[0])
                    {
                        case (byte)'K': w.K = r.GetInt32(); break;
                        case (byte)'T': w.T = r.GetInt64(); break;
                        case (byte)'F': w.F = r.GetString()!; break;
                        case (byte)'P': w.P = r.GetString()!; break;
                        case (byte)'X': w.X = r.GetString()!; break;
                        case (byte)'E': w.E = r.GetString(); break;
                        case (byte)'A': w.A = r.GetString(); break;
                        case (byte)'B': w.B = r.GetBoolean(); break;
                        case (byte)'C': w.C = r.GetString(); break;
                        case (byte)'N': w.N = r.GetString()!; break;
                        case (byte)'S': w.S = r.GetInt32(); break;
                        case (byte)'H': w.H = r.GetBoolean(); break;
                        case (byte)'U': w.U = JsonSerializer.Deserialize(ref r, ClusterJson.Default.WireUser); break;
                        case (byte)'L': w.L = JsonSerializer.Deserialize(ref r, ClusterJson.Default.ListWireLine); break;
                        default: r.Skip(); break;
                    }
                    break;
                case 2 when name.SequenceEqual("To"u8): w.To = r.GetString(); break;
                case 2 when name.SequenceEqual("Id"u8): w.Id = r.GetString()!; break;
                case 2 when name.SequenceEqual("Au"u8): w.Au = r.GetInt32(); break;
                default: r.Skip(); break;
            }
        }
        if (r.TokenType != JsonTokenType.EndObject) throw new JsonException("a room event ends with '}'");
        return w;
    }
}
