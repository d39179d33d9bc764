using System.CommandLine;

namespace Sock.Cli.Commands;

/// <summary>`sock bench`: load generators for sock's servers and their peers.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Load generators: measure a server (sock's or a peer's) under load.");
        return bench;
    }
}
