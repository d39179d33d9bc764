using System.CommandLine;
using Sock.Cli;

// Each area contributes its commands; this file only assembles them.
var root = new RootCommand("sock — a socket toolkit: resolver toolbox, netcat-style pipes, verified file transfer, plain+IRC chat.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

return await CommandRunner.InvokeAsync(root, args);
