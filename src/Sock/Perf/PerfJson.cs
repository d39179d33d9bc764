using System.Text.Json.Serialization;

namespace Sock.Perf;

/// <summary>The parameter block the client sends (iperf_api.c send_parameters); unknown fields are ignored.</summary>
public sealed class PerfParametersJson
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Tcp { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Udp { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Sctp { get; set; }
    public int Omit { get; set; }
    public double Time { get; set; }
    public long Num { get; set; }
    public long Blockcount { get; set; }
    public int Parallel { get; set; } = 1;
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Reverse { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Bidirectional { get; set; }
    public int Len { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Bandwidth { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? PacingTimer { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonPropertyName("udp_counters_64bit")] public int? UdpCounters64Bit { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ClientVersion { get; set; }
}

/// <summary>One side's results (iperf_api.c send_results); numbers iperf3 prints as 2^64-1 for "none" read as doubles.</summary>
public sealed class PerfResultsJson
{
    public double CpuUtilTotal { get; set; }
    public double CpuUtilUser { get; set; }
    public double CpuUtilSystem { get; set; }
    public double SenderHasRetransmits { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CongestionUsed { get; set; }
    public List<PerfStreamResultJson>? Streams { get; set; }
}

public sealed class PerfStreamResultJson
{
    public int Id { get; set; }
    public long Bytes { get; set; }
    public double Retransmits { get; set; }
    public double Jitter { get; set; }
    public long Errors { get; set; }
    public long Packets { get; set; }
    public double StartTime { get; set; }
    public double EndTime { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(PerfParametersJson))]
[JsonSerializable(typeof(PerfResultsJson))]
internal sealed partial class PerfWireJsonContext : JsonSerializerContext;
