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

    public void AddTo(Command command)
    {
        command.Options.Add(Exec);
        command.Options.Add(ShExec);
    }

    public ExecCommand? Read(ParseResult parse)
    {
        var (exec, sh) = (parse.GetValue(Exec), parse.GetValue(ShExec));
        if (exec is not null && sh is not null) throw new UsageException("--exec and --sh-exec exclude each other");
        if (sh is not null) return string.IsNullOrWhiteSpace(sh) ? throw new UsageException("--sh-exec needs a command") : ExecCommand.Shell(sh);
        if (exec is null) return null;
        try
        {
            return ExecCommand.Parse(exec);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
