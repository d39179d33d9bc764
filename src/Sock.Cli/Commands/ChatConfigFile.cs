using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;

namespace Sock.Cli.Commands;

/// <summary>
/// `chat serve --config FILE`: a JSON file (comments and trailing commas allowed) whose keys are the
/// command's own flags without "--" (<c>"port": 6667</c>, <c>"oper": ["admin:pw"]</c>, <c>"tls": true</c>).
/// It becomes command-line tokens for every flag not given on the command line, and the command is
/// parsed again: the file gets the flags' own parsing, validation and messages, and flags override it.
/// </summary>
internal static class ChatConfigFile
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    /// <summary>Flags that make no sense inside the file itself.</summary>
    private static readonly string[] NotInFile = ["--config", "--check-config", "--help"];

    /// <summary>The command line with the file's settings added; throws <see cref="UsageException"/> naming the file and key.</summary>
    public static ParseResult Merge(Command command, ParseResult parse, string path)
    {
        var given = parse.Tokens.SkipWhile(t => t.Type == TokenType.Command).Select(t => t.Value).ToList();
        var explicitly = new HashSet<string>(command.Options.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name), StringComparer.Ordinal);
        var tokens = new List<string>(given);
        foreach (var (key, value) in Read(path))
        {
            var option = command.Options.FirstOrDefault(o => o.Name == "--" + key && !NotInFile.Contains(o.Name))
                ?? throw new UsageException($"config {path}: unknown key \"{key}\" (keys are chat serve's flags without --; see sock chat serve --help)");
            if (explicitly.Contains(option.Name)) continue; // the command line wins
            tokens.AddRange(Tokens(path, key, option, value));
        }
        var merged = command.Parse(tokens);
        if (merged.Errors.Count > 0) throw new UsageException($"config {path}: {merged.Errors[0].Message}");
        return merged;
    }

    private static List<(string Key, JsonElement Value)> Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"config {path}: {e.Message}"); }
        try
        {
            using var doc = JsonDocument.Parse(text, Lenient);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new UsageException($"config {path}: the file must hold one JSON object");
            return [.. doc.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.Clone()))];
        }
        catch (JsonException e)
        {
            throw new UsageException($"config {path}: not valid JSON at line {e.LineNumber + 1}: {e.Message.Split(" LineNumber")[0]}");
        }
    }

    private static IEnumerable<string> Tokens(string path, string key, Option option, JsonElement value)
    {
        var flag = option.ValueType == typeof(bool);
        switch (value.ValueKind)
        {
            case JsonValueKind.True or JsonValueKind.False when flag:
                return [option.Name, value.ValueKind == JsonValueKind.True ? "true" : "false"];
            case JsonValueKind.Array when option.ValueType.IsArray:
                return value.EnumerateArray().SelectMany(v => new[] { option.Name, Scalar(path, key, v) });
            case JsonValueKind.Null:
                return [];
            case JsonValueKind.Array or JsonValueKind.Object:
                throw new UsageException($"config {path}: \"{key}\" takes {(flag ? "true or false" : "one value")}");
            default:
                if (flag) throw new UsageException($"config {path}: \"{key}\" takes true or false");
                return [option.Name, Scalar(path, key, value)];
        }
    }

    private static string Scalar(string path, string key, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new UsageException($"config {path}: \"{key}\" has a value of the wrong kind ({v.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture)})"),
    };
}
