using System.CommandLine;
using Sock.Chat.Client;
using Sock.Cli.Chat;

namespace Sock.Cli.Commands;

/// <summary><c>sock chat join HOST[:PORT]</c>: the terminal chat client (IRC on the wire).</summary>
internal static class ChatJoinCommand
{
    public static Command Create()
    {
        var server = new Argument<string>("HOST[:PORT]") { Description = $"The chat or IRC server (port {ChatClientOptions.DefaultPort} by default)" };
        var nick = new Option<string?>("--nick", "-n") { Description = "Your nick (default: your user name)" };
        var room = new Option<string[]>("--room", "-r") { Description = "Room to join (repeatable; default #lobby)", AllowMultipleArgumentsPerToken = false };
        var tls = new Option<bool>("--tls") { Description = "Connect with TLS; the certificate is verified, then pinned on first use" };
        var insecure = new Option<bool>("--insecure") { Description = "With --tls: trust a certificate no CA vouches for (still pinned on first use)" };
        var plain = new Option<bool>("--plain") { Description = "Line mode: stdin lines in, messages out (automatic when stdin is not a terminal)" };
        var downloads = new Option<string?>("--downloads") { Description = "Directory for accepted files (default: the current directory)" };
        var proxy = new ProxyCommandOptions();
        var command = new Command("join", "Join a chat or IRC server: messages appear while you type; /help lists the commands, /send offers files")
        {
            server, nick, room, tls, insecure, plain, downloads,
        };
        proxy.AddTo(command);
        command.WithExamples(
            "sock chat join 127.0.0.1 --nick alice",
            "sock chat join irc.example.net:6667 --proxy socks5://127.0.0.1:9050   # e.g. through Tor",
            "sock chat join irc.example.net:6697 --tls --room '#sock'",
            "printf 'hello\\n/quit\\n' | sock chat join localhost:6667 --plain");
        command.SetHandler(async (parse, ct) =>
        {
            if (parse.GetValue(insecure) && !parse.GetValue(tls)) throw new UsageException("--insecure needs --tls");
            var (host, port) = ChatClientOptions.ParseEndpoint(parse.GetValue(server)!);
            var rooms = parse.GetValue(room) is { Length: > 0 } r ? r : ["#lobby"];
            var options = new ChatClientOptions
            {
                Host = host,
                Port = port,
                Nick = parse.GetValue(nick) ?? DefaultNick(),
                Rooms = rooms,
                Tls = parse.GetValue(tls),
                Insecure = parse.GetValue(insecure),
                Proxy = proxy.Read(parse),
                KnownServersFile = KnownServers.DefaultPath(),
                DownloadDirectory = parse.GetValue(downloads) ?? Environment.CurrentDirectory,
            };
            var usePlain = parse.GetValue(plain) || Console.IsInputRedirected || Console.IsOutputRedirected;
            return usePlain ? await PlainChat.RunAsync(options, ct) : await TerminalChat.RunAsync(options, ct);
        });
        return command;
    }

    private static string DefaultNick()
    {
        var name = new string(Environment.UserName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-').ToArray());
        return name.Length == 0 || char.IsAsciiDigit(name[0]) || name == "root" ? "guest" : name;
    }
}
