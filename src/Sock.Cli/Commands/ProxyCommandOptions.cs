using System.CommandLine;
using Sock.Net.Proxy;

namespace Sock.Cli.Commands;

/// <summary>`--proxy`, `--proxy-type`, `--proxy-auth`: the same three flags on every command that connects out.</summary>
internal sealed class ProxyCommandOptions
{
    public Option<string[]> Proxy { get; } = new("--proxy")
    {
        Description = "Connect through a proxy: HOST:PORT, a URL (socks5://USER:PASS@HOST:PORT, socks4://, http://), or 'env' for $ALL_PROXY/$HTTPS_PROXY; repeat for a chain, each hop reached through the one before",
        HelpName = "HOST:PORT",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Type { get; } = new("--proxy-type") { Description = "socks5, socks4 (4a for names) or http (CONNECT) [default: http, as ncat]", HelpName = "TYPE" };
    public Option<string?> Auth { get; } = new("--proxy-auth") { Description = "Proxy credentials (SOCKS5 user/password, SOCKS4 user id, HTTP Basic)", HelpName = "USER:PASS" };

    public void AddTo(Command command)
    {
        command.Options.Add(Proxy);
        command.Options.Add(Type);
        command.Options.Add(Auth);
    }

    /// <summary>
    /// The proxy asked for (the last hop of a chain, each reached through the one before), or null.
    /// Environment variables are read only for `--proxy env`. --proxy-type and --proxy-auth apply to
    /// every hop; a URL hop names its own type and credentials.
    /// </summary>
    public ProxySettings? Read(ParseResult parse)
    {
        var texts = parse.GetValue(Proxy) ?? [];
        var typeText = parse.GetValue(Type);
        var auth = parse.GetValue(Auth);
        if (texts.Length == 0)
        {
            if (typeText is not null || auth is not null) throw new UsageException("--proxy-type and --proxy-auth need --proxy");
            return null;
        }
        try
        {
            var type = typeText is null ? (ProxyType?)null : ProxySettings.ParseType(typeText);
            var hops = new List<ProxySettings>();
            foreach (var text in texts)
            {
                if (text != "env")
                {
                    hops.Add(ProxySettings.Parse(text, type, auth));
                    continue;
                }
                var found = ProxySettings.FromEnvironment()
                    ?? throw new UsageException("--proxy env: neither ALL_PROXY nor HTTPS_PROXY is set");
                if (type is { } t && t != found.Type) throw new UsageException($"--proxy env is {found.TypeName} but --proxy-type says {typeText}");
                hops.Add(auth is null ? found : found.WithCredentials(auth));
            }
            return ProxySettings.Chain(hops);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
