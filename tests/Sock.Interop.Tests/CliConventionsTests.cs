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
}
