using System.CommandLine;
using Sock.Net.Proxy;

namespace Sock.Cli.Commands;

/// <summary>`--proxy`, `--proxy-type`, `--proxy-auth`: the same three flags on every command that connects out.</summary>
internal sealed class ProxyCommandOptions
{
    public Option<string?> Proxy { get; } = new("--proxy")
    {
        Description = "Connect through a proxy: HOST:PORT, a URL (socks5://USER:PASS@HOST:PORT), or 'env' for $ALL_PROXY/$HTTPS_PROXY",
        HelpName = "HOST:PORT",
    };

    public Option<string?> Type { get; } = new("--proxy-type") { Description = "socks5, socks4 (4a for names) or http (CONNECT) [default: http, as ncat]", HelpName = "TYPE" };
    public Option<string?> Auth { get; } = new("--proxy-auth") { Description = "Proxy credentials (SOCKS5 user/password, SOCKS4 user id, HTTP Basic)", HelpName = "USER:PASS" };

    public void AddTo(Command command)
    {
        command.Options.Add(Proxy);
        command.Options.Add(Type);
        command.Options.Add(Auth);
    }

    /// <summary>The proxy asked for, or null. Environment variables are read only for `--proxy env`.</summary>
    public ProxySettings? Read(ParseResult parse)
    {
        var text = parse.GetValue(Proxy);
        var typeText = parse.GetValue(Type);
        var auth = parse.GetValue(Auth);
        if (text is null)
        {
            if (typeText is not null || auth is not null) throw new UsageException("--proxy-type and --proxy-auth need --proxy");
            return null;
        }
        try
        {
            var type = typeText is null ? (ProxyType?)null : ProxySettings.ParseType(typeText);
            if (text == "env")
            {
                var found = ProxySettings.FromEnvironment()
                    ?? throw new UsageException("--proxy env: neither ALL_PROXY nor HTTPS_PROXY is set");
                if (type is { } t && t != found.Type) throw new UsageException($"--proxy env is {found.TypeName} but --proxy-type says {typeText}");
                return auth is null ? found : found.WithCredentials(auth);
            }
            return ProxySettings.Parse(text, type, auth);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
