using System.Text.Json.Serialization;
using Sock.Net;

namespace Sock.Cli.Commands.Toolbox;

// The toolbox's --json shapes, exactly as PRODUCT.md lists them (snake_case names).

internal sealed record AddressInfoJson(string Family, string Type, int Proto, string Canonname, string Address, int Port);

internal sealed record ServiceListingJson(string Name, int Port, string Proto, IReadOnlyList<string> Aliases, bool WellKnown, string? Label, bool InDatabase);

internal sealed record ProbeJson(string Host, string Address, int Port, string State, int Errno, string? Error, double Ms,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Banner = null);

internal sealed record HexJson(string Hex);

internal sealed record AddressJson(string Address);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<AddressInfoJson>))]
[JsonSerializable(typeof(HostEntry))]
[JsonSerializable(typeof(NameInfo))]
[JsonSerializable(typeof(ServiceEntry))]
[JsonSerializable(typeof(List<ServiceListingJson>))]
[JsonSerializable(typeof(IReadOnlyList<InterfaceInfo>))]
[JsonSerializable(typeof(HostSummary))]
[JsonSerializable(typeof(HexJson))]
[JsonSerializable(typeof(AddressJson))]
[JsonSerializable(typeof(List<ProbeJson>))]
internal sealed partial class ToolboxJsonContext : JsonSerializerContext;
