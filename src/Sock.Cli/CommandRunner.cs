using System.CommandLine;
using System.Net.Sockets;
using Sock.Net;

namespace Sock.Cli;

/// <summary>
/// The one place that turns failures into exit codes and one-line messages:
/// 0 success, 1 network/operation failure, 2 bad usage, 130 interrupted.
/// </summary>
internal static class CommandRunner
{
    public const int Ok = 0, Failure = 1, Usage = 2, Interrupted = 130;

    /// <summary>The informational version, which the SDK suffixes with "+commit".</summary>
    public static string Version =>
        typeof(CommandRunner).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute a, ..] ? a.InformationalVersion : "unknown";

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        // No response files: "@name" is an abstract Unix socket and "--allow @FILE" reads CIDRs itself.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        // An unknown option in an argument's place (`connect --bogus HOST PORT`) is named as such, not taken for a host.
        var stray = parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .SelectMany(a => a.Tokens).Select(t => t.Value).FirstOrDefault(LooksLikeOption);
        if (parse.Errors.Count > 0 || stray is not null)
        {
            if (stray is not null) Console.Error.WriteLine($"sock: unknown option '{stray}'");
            else
                foreach (var error in parse.Errors)
                    Console.Error.WriteLine($"sock: {error.Message}");
            Console.Error.WriteLine($"Try '{CommandPath(parse.CommandResult)} --help'.");
            return Usage;
        }
        return await parse.InvokeAsync();
    }

    /// <summary>"--bogus" or "-Z", but not "-" (stdin) or "-5" (a number).</summary>
    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && (token[1] == '-' ? token.Length > 2 : char.IsAsciiLetter(token[1]));

    /// <summary>"sock chat serve": the full path of the command, for the --help hint.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is System.CommandLine.Parsing.CommandResult c) names.Add(c.Command.Name);
        names.Reverse();
        if (names.Count > 0) names[0] = "sock";
        return string.Join(' ', names);
    }

    /// <summary>Sets <paramref name="action"/> as the command's handler, wrapped in the error policy.</summary>
    public static void SetHandler(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (Exception e)
            {
                return Report(parse, e, ct);
            }
        });

    /// <summary>
    /// Synchronous flavour for commands that do no I/O worth awaiting. A synchronous action also
    /// spares the start-up System.CommandLine's Ctrl-C handling costs (a signal thread and a pipe).
    /// </summary>
    public static void SetHandler(this Command command, Func<ParseResult, int> action) =>
        command.SetAction(parse =>
        {
            try
            {
                return action(parse);
            }
            catch (Exception e)
            {
                return Report(parse, e, CancellationToken.None);
            }
        });

    private static int Report(ParseResult parse, Exception e, CancellationToken ct)
    {
        var (code, message) = Classify(e, ct);
        if (code == Interrupted) return code;
        // With --json the document carries the error for scripts, and stderr still tells the person watching.
        if (Output.JsonRequested(parse)) Output.WriteJsonError(message);
        Console.Error.WriteLine($"sock: {message}");
        return code;
    }

    internal static (int Code, string Message) Classify(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException when ct.IsCancellationRequested => (Interrupted, "interrupted"),
        UsageException u => (Usage, u.Message),
        ArgumentException a => (Usage, a.Message),
        SockException s => (Failure, s.Message),
        SocketException s => (Failure, SocketErrors.Format(s.SocketErrorCode)),
        UnauthorizedAccessException u => (Failure, u.Message),
        IOException io => (Failure, io.Message),
        TimeoutException t => (Failure, t.Message),
        _ => (Failure, $"{e.GetType().Name}: {e.Message}"),
    };
}

/// <summary>Bad usage detected after parsing (conflicting flags, malformed values): exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
