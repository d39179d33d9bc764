using System.CommandLine;
using Sock.Cli;

// Start-up fast path: `sock --version` is timed against `ncat --version`, so answer it before
// building the command tree.
if (args is ["--version"])
{
    Output.WriteStdout(CommandRunner.Version + "\n");
    return 0;
}

// Each area contributes its commands; this file only assembles them.
var root = new RootCommand("sock — a socket toolkit: resolver toolbox, netcat-style pipes, verified file transfer, plain+IRC chat.");
foreach (var command in CommandCatalog.For(args))
    root.Subcommands.Add(command);

return await CommandRunner.InvokeAsync(root, args);
