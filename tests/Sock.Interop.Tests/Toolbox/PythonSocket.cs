using System.Text.Json;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>
/// Python's socket module as the oracle: runs a snippet over a JSON list of cases (sys.argv[1] as
/// <c>cases</c>) and returns what it printed as one JSON document (a list of string lists).
/// Errors are rendered by <c>err(e)</c> as "ERR &lt;errno&gt;" for gaierror/herror, "ERR &lt;Type&gt;" otherwise.
/// </summary>
internal static class PythonSocket
{
    private const string Prelude = """
        import socket, json, sys
        cases = json.loads(sys.argv[1])
        def err(e):
            if isinstance(e, (socket.gaierror, socket.herror)):
                return ["ERR %d" % e.errno]
            if isinstance(e, ValueError):
                return ["ERR ValueError"]
            return ["ERR " + type(e).__name__]
        def fam(f):
            return f.name[3:].lower() if hasattr(f, 'name') else str(f)
        def kind(t):
            return t.name[5:].lower() if hasattr(t, 'name') else str(t)
        out = []

        """;

    /// <summary>Runs <paramref name="body"/> (which appends one list of strings per case to <c>out</c>).</summary>
    public static async Task<List<List<string>>> RunAsync(string body, object cases)
    {
        var python = Peers.Python3;
        var code = Prelude + body + "\nprint(json.dumps(out))\n";
        var (exit, stdout, stderr) = await Run.Async(python, "-c", code, JsonSerializer.Serialize(cases));
        Assert.True(exit == 0, $"python failed ({exit}): {stderr}");
        return JsonSerializer.Deserialize<List<List<string>>>(stdout)!;
    }

    /// <summary>A single expression's value as JSON text (for one-off facts like gethostname()).</summary>
    public static async Task<JsonElement> EvalAsync(string expression)
    {
        var (exit, stdout, stderr) = await Run.Async(Peers.Python3, "-c", $"import socket, json\nprint(json.dumps({expression}))");
        Assert.True(exit == 0, $"python failed ({exit}): {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Our side's rendering of a failure, matching err(e) above.</summary>
    public static List<string> Err(Exception e) => e switch
    {
        Sock.Net.ResolverException r => [$"ERR {r.Code}"],
        ArgumentOutOfRangeException => ["ERR OverflowError"],
        ArgumentException => ["ERR ValueError"],
        _ => ["ERR OSError"],
    };

    /// <summary>Runs our call and renders its outcome like the Python side does.</summary>
    public static List<string> Capture(Func<List<string>> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is Sock.SockException or ArgumentException)
        {
            return Err(e);
        }
    }

    /// <summary>Asserts case by case, naming the case that differs.</summary>
    public static void AssertSame<TCase>(IReadOnlyList<TCase> cases, List<List<string>> python, Func<TCase, List<string>> ours)
    {
        Assert.Equal(cases.Count, python.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            var mine = ours(cases[i]);
            Assert.True(python[i].SequenceEqual(mine),
                $"case {JsonSerializer.Serialize(cases[i])}:\n python: {string.Join(" | ", python[i])}\n sock:   {string.Join(" | ", mine)}");
        }
    }
}
