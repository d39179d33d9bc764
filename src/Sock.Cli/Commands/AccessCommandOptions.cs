using System.CommandLine;
using Sock.Net;

namespace Sock.Cli.Commands;

/// <summary>`--allow` / `--deny` on every listener: repeatable CIDRs or @FILEs, read into one <see cref="AddressFilter"/>.</summary>
internal sealed class AccessCommandOptions
{
    public Option<string[]> Allow { get; } = new("--allow")
    {
        Description = "Accept only clients from this address or CIDR (repeatable; @FILE reads one per line)",
        HelpName = "CIDR",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Deny { get; } = new("--deny")
    {
        Description = "Refuse clients from this address or CIDR (repeatable; @FILE; wins over --allow)",
        HelpName = "CIDR",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Allow);
        command.Options.Add(Deny);
    }

    public AddressFilter Read(ParseResult parse)
    {
        try
        {
            return AddressFilter.Parse(parse.GetValue(Allow), parse.GetValue(Deny));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
