using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests;

/// <summary>Conventions every command shares: help, usage errors exit 2 with one line.</summary>
public class CliConventionsTests
{
    [Fact]
    public async Task UnknownCommandIsUsageErrorWithExit2()
    {
        var (code, stdout, stderr) = await SockCli.RunAsync("no-such-command");
        Assert.Equal(2, code);
        Assert.StartsWith("sock: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task RootHelpListsUsage()
    {
        var (code, stdout, _) = await SockCli.RunAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryCommandInRootHelpAnswersItsOwnHelp()
    {
        // `sock NAME …` builds only the command NAME (start-up); each listed name must still reach its command.
        var (_, root, _) = await SockCli.RunAsync("--help");
        var names = System.Text.RegularExpressions.Regex.Matches(root[root.IndexOf("Commands:", StringComparison.Ordinal)..], @"(?m)^  ([a-z]+)\b")
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("chat", names);
        Assert.Contains("info", names);
        Assert.True(names.Count >= 17, string.Join(' ', names));
        foreach (var name in names)
        {
            var (code, stdout, stderr) = await SockCli.RunAsync(name, "--help");
            Assert.True(code == 0, $"{name}: {stderr}");
            Assert.Contains($"sock {name}", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task VersionNamesTheCommit()
    {
        var (code, stdout, _) = await SockCli.RunAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+.*\+[0-9a-f]{7,}", stdout.Trim());
    }

    [Fact]
    public async Task BashCompletionCompletesSubcommandsThroughSockItself()
    {
        var dir = Path.GetDirectoryName(SockCli.Path)!;
        var script = $"PATH='{dir}':$PATH; source <(sock completion bash); COMP_LINE='sock comp'; COMP_POINT=9; _sock_complete; echo \"${{COMPREPLY[@]}}\"";
        var (code, stdout, stderr) = await Run.Async("bash", "-c", script);
        Assert.True(code == 0, stderr);
        Assert.Equal("completion", stdout.Trim());
    }

    [Fact]
    public async Task OutputToAGoneReaderEndsQuietlyAndToAFullDiskIsOneLine()
    {
        // The reader closes its end at once, so sock's write meets EPIPE (or, if sock is quicker,
        // the pipe takes it all); either way nothing is said and the exit is 0.
        var gone = await Run.Async("bash", "-c", $"'{SockCli.Path}' services | (exec 0<&-; sleep 0.3); echo \"rc=${{PIPESTATUS[0]}}\"");
        Assert.Equal("rc=0\n", gone.Stdout);
        Assert.Equal("", gone.Stderr);

        var full = await Run.Async("bash", "-c", $"'{SockCli.Path}' services > /dev/full");
        Assert.Equal(1, full.Code);
        Assert.Equal("sock: No space left on device\n", full.Stderr);
    }
}

/// <summary>Found trying the CLI as a new user (issue 16): unknown options name themselves and the right --help; --json errors also reach stderr.</summary>
public class CliHintTests
{
    [Fact]
    public async Task UnknownOptionsNameThemselvesAndTheFullCommand()
    {
        var serve = await Infrastructure.SockCli.RunAsync("chat", "serve", "--bogus");
        Assert.Equal(2, serve.Code);
        Assert.EndsWith("Try 'sock chat serve --help'.\n", serve.Stderr, StringComparison.Ordinal);
        var connect = await Infrastructure.SockCli.RunAsync("connect", "--bogus", "127.0.0.1", "80");
        Assert.Equal((2, "sock: unknown option '--bogus'\nTry 'sock connect --help'.\n"), (connect.Code, connect.Stderr));
        var listen = await Infrastructure.SockCli.RunAsync("listen", "-Z", "80");
        Assert.Equal((2, "sock: unknown option '-Z'\nTry 'sock listen --help'.\n"), (listen.Code, listen.Stderr));
    }

    [Fact]
    public async Task JsonErrorsAlsoGoToStderr()
    {
        var (code, stdout, stderr) = await Infrastructure.SockCli.RunAsync("resolve", "nosuch.invalid", "80", "--json");
        Assert.Equal(1, code);
        Assert.Contains("\"error\": \"resolve nosuch.invalid", stdout, StringComparison.Ordinal);
        Assert.StartsWith("sock: resolve nosuch.invalid", stderr, StringComparison.Ordinal);
    }
}
