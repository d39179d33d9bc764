using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Toolbox;

/// <summary>Every toolbox command's --help shows an example of itself.</summary>
public class ToolboxHelpTests
{
    [Theory]
    [InlineData("resolve")]
    [InlineData("host")]
    [InlineData("reverse")]
    [InlineData("nameinfo")]
    [InlineData("service")]
    [InlineData("services")]
    [InlineData("ifaces")]
    [InlineData("info")]
    [InlineData("inet")]
    [InlineData("inet", "aton")]
    [InlineData("inet", "ntoa")]
    [InlineData("inet", "pton")]
    [InlineData("inet", "ntop")]
    [InlineData("probe")]
    public async Task HelpShowsAnExample(params string[] command)
    {
        var (code, stdout, _) = await SockCli.RunAsync([.. command, "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
        Assert.Contains("  sock " + string.Join(' ', command) + " ", stdout, StringComparison.Ordinal);
    }
}
