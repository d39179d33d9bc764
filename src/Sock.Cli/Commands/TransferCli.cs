using System.CommandLine;
using System.Text.Json.Serialization;
using Sock.Tls;
using Sock.Transfer;
using Spectre.Console;

namespace Sock.Cli.Commands;

/// <summary>What send and recv share: where to connect or listen, TLS, progress display and the summary.</summary>
internal static class TransferCli
{
    public static Option<int?> Listen() => new("--listen", "-l") { HelpName = "PORT", Description = "Wait for the other side on this TCP port (0 = any free port, printed on stderr)" };
    public static Option<bool> Tls() => new("--tls") { Description = "Encrypt with TLS (the listening side uses --cert/--key or a self-signed certificate and prints its fingerprint)" };
    public static Option<bool> Insecure() => new("--insecure", "-k") { Description = "Connecting side: accept any server certificate" };
    public static Option<string?> Pin() => new("--pin") { HelpName = "SHA256", Description = "Connecting side: accept only the certificate with this SHA-256 fingerprint (implies --tls)" };
    public static Option<string?> Cert() => new("--cert") { HelpName = "FILE", Description = "Listening side: PEM certificate for --tls" };
    public static Option<string?> Key() => new("--key") { HelpName = "FILE", Description = "Listening side: PEM private key for --tls" };
    public static Option<bool> Raw() => new("--raw") { Description = "Bare bytes, no header, hash or resume (talks to nc)" };

    internal sealed record Endpoint(string Host, int Port);

    /// <summary>HOST:PORT or [IPv6]:PORT.</summary>
    public static Endpoint ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) throw new UsageException($"expected HOST:PORT, got '{text}'");
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(text[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new UsageException($"bad port in '{text}' (1-65535)");
        return new Endpoint(host, port);
    }

    internal sealed record Side(Endpoint? Connect, int? ListenPort, bool Tls, bool Insecure, string? Pin, string? Cert, string? Key)
    {
        public Sock.Net.Proxy.ProxySettings? Proxy { get; init; }
        public Sock.Net.AddressFilter? Filter { get; init; }
    }

    /// <summary>
    /// Connects, or listens and accepts until a peer completes the handshake (probes that connect and
    /// close are ignored), then runs <paramref name="session"/> on the connection.
    /// </summary>
    public static async Task<T> WithConnectionAsync<T>(Side side, Func<TransferConnection, Task<T>> session, CancellationToken ct)
    {
        var tls = side.Tls || side.Pin is not null;
        if (side.Connect is { } to)
        {
            var client = tls ? new TlsClientSettings(to.Host, side.Insecure, side.Pin) : null;
            await using var connection = await TransferConnection.ConnectAsync(to.Host, to.Port, client, ct, side.Proxy);
            return await session(connection);
        }
        var server = tls ? TlsServerSettings.Create(side.Cert, side.Key) : null;
        using var listener = TransferListener.Listen(side.ListenPort!.Value);
        Console.Error.WriteLine($"sock: listening on port {listener.Port}");
        if (server is { IsSelfSigned: true })
            Console.Error.WriteLine($"sock: TLS self-signed certificate SHA-256 {server.Fingerprint} (connect with --pin {server.Fingerprint.Replace(":", "", StringComparison.Ordinal)})");
        while (true)
        {
            var socket = await listener.AcceptAsync(side.Filter, line => Console.Error.WriteLine($"sock: {line}"), ct);
            try
            {
                await using var connection = await TransferConnection.AcceptedAsync(socket, server, ct);
                return await session(connection);
            }
            catch (HandshakeIncompleteException)
            {
                // A port probe; keep waiting for the real peer.
            }
            catch (SockException e) when (e.Message.StartsWith("TLS handshake failed", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"sock: {e.Message}; still listening");
            }
        }
    }

    public static Side ReadSide(ParseResult parse, Endpoint? connect, Option<int?> listen, Option<bool> tls, Option<bool> insecure,
        Option<string?> pin, Option<string?> cert, Option<string?> key)
    {
        var port = parse.GetValue(listen);
        if (connect is null && port is null) throw new UsageException("give HOST:PORT to connect, or --listen PORT");
        if (connect is not null && port is not null) throw new UsageException("give either HOST:PORT or --listen PORT, not both");
        if (port is < 0 or > 65535) throw new UsageException($"bad port {port} (0-65535)");
        var side = new Side(connect, port, parse.GetValue(tls), parse.GetValue(insecure), parse.GetValue(pin), parse.GetValue(cert), parse.GetValue(key));
        if ((side.Insecure || side.Pin is not null) && connect is null) throw new UsageException("--insecure and --pin are for the connecting side");
        if (side.Cert is not null && connect is not null) throw new UsageException("--cert/--key are for the listening side");
        if ((side.Insecure || side.Cert is not null) && !side.Tls && side.Pin is null) throw new UsageException("--insecure/--cert need --tls");
        return side;
    }

    /// <summary>Runs <paramref name="work"/> with a live progress bar on a terminal, or silently otherwise.</summary>
    public static async Task<T> WithProgressAsync<T>(TransferProgress progress, bool json, string verb, Func<Task<T>> work)
    {
        if (json || !Output.StderrIsTerminal) return await work();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(),
                new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(verb, maxValue: 1);
                var running = work();
                while (!running.IsCompleted)
                {
                    await Task.WhenAny(running, Task.Delay(100));
                    task.MaxValue = Math.Max(1, progress.Total);
                    task.Value = progress.Done;
                    if (progress.Current is { } current) task.Description = Markup.Escape(Shorten(current));
                }
                result = await running;
            });
        return result;
    }

    private static string Shorten(string name) => name.Length <= 32 ? name : "…" + name[^31..];

    /// <summary>One line on stderr, or one JSON document on stdout; the exit code from the outcome.</summary>
    public static int Finish(TransferSummary summary, bool json)
    {
        var failure = summary.FailureMessage();
        if (json)
        {
            Output.WriteJson(TransferJson.From(summary, failure), TransferJsonContext.Default.TransferJson);
            return failure is null ? CommandRunner.Ok : CommandRunner.Failure;
        }
        var seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-6);
        var what = summary.Files == 1 ? "1 file" : $"{summary.Files} files";
        if (summary.Directories > 0) what += summary.Directories == 1 ? ", 1 directory" : $", {summary.Directories} directories";
        var verified = summary.Raw ? "raw, unverified" : $"{FileHasher.NameOf(summary.Hash)} verified";
        var resumed = summary.BytesResumed > 0 ? $", resumed after {Bytes(summary.BytesResumed)}" : "";
        var verb = summary.Direction is "send" ? "sent" : "received";
        if (failure is null)
            Console.Error.WriteLine($"sock: {verb} {what}, {Bytes(summary.BytesTransferred)} in {seconds:0.00} s ({Bytes((long)(summary.BytesTransferred / seconds))}/s), {verified}{resumed}");
        foreach (var e in summary.Entries)
            if (e.Status == FileStatus.Ok && e.Kind == EntryKind.File && e.SavedAs is { } saved && Path.GetFileName(saved) != Path.GetFileName(e.Name))
                Console.Error.WriteLine($"sock: {e.Name} exists; saved as {saved}");
        if (failure is null) return CommandRunner.Ok;
        Console.Error.WriteLine($"sock: {failure}");
        return CommandRunner.Failure;
    }

    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{n / 1048576.0:0.0} MiB",
        _ => $"{n / 1073741824.0:0.00} GiB",
    };
}

/// <summary>The --json summary of send and recv.</summary>
internal sealed record TransferJson(string Direction, string? Peer, string Hash, bool Ok, string? Error, int Files, int Directories,
    long BytesTotal, long BytesTransferred, long BytesResumed, double Seconds, double BytesPerSecond, List<TransferEntryJson> Entries)
{
    public static TransferJson From(TransferSummary s, string? failure)
    {
        var seconds = s.Elapsed.TotalSeconds;
        return new TransferJson(s.Direction, s.Peer, s.Raw ? "none" : FileHasher.NameOf(s.Hash), failure is null, failure,
            s.Files, s.Directories, s.BytesTotal, s.BytesTransferred, s.BytesResumed, Math.Round(seconds, 6),
            seconds > 0 ? Math.Round(s.BytesTransferred / seconds) : 0,
            s.Entries.Select(e => new TransferEntryJson(e.Name, e.Kind == EntryKind.File ? "file" : "directory", e.Size, e.Offset, e.Transferred,
                Status(e.Status), e.SavedAs, e.Hash, e.Error)).ToList());
    }

    private static string Status(FileStatus status) => status switch
    {
        FileStatus.Ok => "ok",
        FileStatus.HashMismatch => "hash_mismatch",
        FileStatus.ChangedWhileSending => "changed",
        FileStatus.WriteError => "write_error",
        _ => "not_transferred",
    };
}

internal sealed record TransferEntryJson(string Name, string Kind, long Size, long Offset, long Transferred, string Status,
    string? SavedAs, string? Hash, string? Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TransferJson))]
internal sealed partial class TransferJsonContext : JsonSerializerContext;
