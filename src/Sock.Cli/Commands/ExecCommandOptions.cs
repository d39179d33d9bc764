using System.CommandLine;
using Sock.Pipes;

namespace Sock.Cli.Commands;

/// <summary>`--exec CMD` / `--sh-exec "CMD"` (ncat -e / -c) for connect and listen.</summary>
internal sealed class ExecCommandOptions
{
    public Option<string?> Exec { get; } = new("--exec", "-e")
    {
        Description = "Run CMD with the connection as its stdin/stdout (words split, nothing expanded). DANGEROUS on a public port: whoever connects runs it",
        HelpName = "CMD",
    };

    public Option<string?> ShExec { get; } = new("--sh-exec", "-c") { Description = "Like --exec, through /bin/sh -c (pipes, redirections, $vars)", HelpName = "CMD" };

    public Option<bool> Pty { get; } = new("--pty")
    {
        Description = "Give the program a terminal of its own (session leader, controlling tty): shells with job control, vi, less",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Exec);
        command.Options.Add(ShExec);
        command.Options.Add(Pty);
    }

    public ExecCommand? Read(ParseResult parse)
    {
        var (exec, sh) = (parse.GetValue(Exec), parse.GetValue(ShExec));
        var pty = parse.GetValue(Pty);
        if (exec is not null && sh is not null) throw new UsageException("--exec and --sh-exec exclude each other");
        if (pty && exec is null && sh is null) throw new UsageException("--pty needs --exec or --sh-exec");
        if (pty && !OperatingSystem.IsLinux()) throw new UsageException("--pty is supported on Linux only");
        if (sh is not null) return string.IsNullOrWhiteSpace(sh) ? throw new UsageException("--sh-exec needs a command") : ExecCommand.Shell(sh) with { Pty = pty };
        if (exec is null) return null;
        try
        {
            return ExecCommand.Parse(exec) with { Pty = pty };
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
