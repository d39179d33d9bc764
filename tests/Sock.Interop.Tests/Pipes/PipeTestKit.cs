using System.Globalization;
using System.Security.Cryptography;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Pipes;

/// <summary>Helpers the pipe tests share: payloads, readiness of listeners (from /proc, without connecting), transfers.</summary>
internal static class PipeTestKit
{
    public const int Payload = 16 * 1024 * 1024;
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(10), Long = TimeSpan.FromSeconds(40);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Writes <paramref name="size"/> random bytes to a file in <paramref name="dir"/>; returns path and SHA-256.</summary>
    public static (string Path, string Sha256) RandomFile(TempDir dir, int size = Payload, string name = "payload.bin")
    {
        var data = RandomNumberGenerator.GetBytes(size);
        var path = dir.File(name);
        File.WriteAllBytes(path, data);
        return (path, Hash(data));
    }

    public static string Hash(byte[] data) => Convert.ToHexString(SHA256.HashData(data));

    /// <summary>
    /// Waits until something listens on the TCP port (or has bound the UDP port), read from
    /// /proc/net so that no probe connection steals a one-shot listener's only accept.
    /// </summary>
    public static async Task WaitBoundAsync(int port, bool udp = false)
    {
        var hex = ":" + port.ToString("X4", CultureInfo.InvariantCulture) + " ";
        var files = udp ? new[] { "/proc/net/udp", "/proc/net/udp6" } : ["/proc/net/tcp", "/proc/net/tcp6"];
        var deadline = DateTime.UtcNow + Short;
        while (true)
        {
            foreach (var f in files)
                foreach (var line in File.ReadLines(f).Skip(1))
                {
                    var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (cols.Length > 3 && (cols[1] + " ").EndsWith(hex, StringComparison.Ordinal) && (udp || cols[3] == "0A"))
                        return;
                }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nothing {(udp ? "bound to UDP" : "listening on TCP")} port {port}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Waits until a Unix stream socket at <paramref name="path"/> accepts (listening flag in /proc/net/unix).</summary>
    public static async Task WaitUnixListeningAsync(string path)
    {
        var deadline = DateTime.UtcNow + Short;
        while (!File.ReadLines("/proc/net/unix").Any(l => l.EndsWith(" " + path, StringComparison.Ordinal) && l.Contains(" 00010000 ", StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"nothing listening on {path}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Runs a shell command line (for `&lt; file` redirections) as a process.</summary>
    public static RunningProcess Shell(string commandLine) => RunningProcess.Start("/bin/bash", ["-c", commandLine]);

    public static string Q(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// One 16 MiB transfer: <paramref name="receiver"/> (already started, stdin open) gets what
    /// <paramref name="senderCommand"/> sends from <paramref name="file"/>. When every byte has
    /// arrived the receiver's stdin is closed (some peers only finish then), and both must exit.
    /// Returns (receiver exit code, sender exit code).
    /// </summary>
    public static async Task<(int Receiver, int Sender)> TransferAsync(RunningProcess receiver, Func<Task> waitReady,
        string senderCommand, (string Path, string Sha256) file)
    {
        await waitReady();
        await using var sender = Shell($"{senderCommand} < {Q(file.Path)}");
        var deadline = DateTime.UtcNow + Long;
        while (receiver.StdoutBytes.Length < Payload && !receiver.HasExited)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"only {receiver.StdoutBytes.Length} of {Payload} bytes arrived; receiver stderr: {receiver.Stderr}; sender stderr: {sender.Stderr}");
            await Task.Delay(20, Ct);
        }
        receiver.CloseStdin();
        var r = await receiver.WaitForExitAsync(Short);
        var s = await sender.WaitForExitAsync(Short);
        var got = receiver.StdoutBytes;
        Assert.True(got.Length == Payload, $"received {got.Length} bytes, expected {Payload}; receiver stderr: {receiver.Stderr}");
        Assert.Equal(file.Sha256, Hash(got));
        Assert.DoesNotContain("   at ", receiver.Stderr + sender.Stderr, StringComparison.Ordinal);
        return (r, s);
    }

    public static string SockExe => Q(SockCli.Path);
}
