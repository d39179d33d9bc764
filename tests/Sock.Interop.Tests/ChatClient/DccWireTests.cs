using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>
/// DCC beyond the plain offer, on the wire (the test plays the server and the peer; with irssi in
/// <see cref="IrssiDccTests"/>). Passive (reverse) DCC SEND, for a side that cannot be connected
/// to: the offer carries port 0 and a token, the accepting side listens and answers with its port
/// and the same token. DCC RESUME/ACCEPT: a broken-off download continues where its .part ends,
/// and only the rest crosses the wire.
/// </summary>
public sealed partial class DccWireTests
{
    private static readonly TimeSpan Wait = ChatProcess.Wait;
    private const string Loopback = "2130706433"; // 127.0.0.1 as DCC writes it

    [GeneratedRegex(@"DCC SEND (\S+) (\d+) (\d+) (\d+) (\d+)\u0001")]
    private static partial Regex DccSend();

    [Fact]
    public async Task Accepting_a_passive_offer_answers_with_our_port_and_the_token_then_receives()
    {
        await using var server = new RawIrcServer();
        using var home = new TempDir();
        await using var alice = await server.JoinAliceAsync(home);
        var data = RandomNumberGenerator.GetBytes(100_000);

        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND p.bin {Loopback} 0 {data.Length} 77\u0001\r\n");
        await alice.WaitForStdoutAsync("mallory offers 'p.bin' (97.7 KiB) passive: we listen, they connect", Wait);
        await alice.WriteAsync("/accept mallory\n");
        await server.ReadUntilAsync($" {data.Length} 77\u0001");
        var answer = DccSend().Match(server.Received);
        Assert.True(answer.Success, server.Received);
        Assert.Equal(("p.bin", Loopback, $"{data.Length}", "77"), (answer.Groups[1].Value, answer.Groups[2].Value, answer.Groups[4].Value, answer.Groups[5].Value));
        Assert.Contains("PRIVMSG mallory :\u0001DCC SEND p.bin", server.Received);

        // We are the sender now: connect where the answer says, send, read the 4-byte running totals.
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, int.Parse(answer.Groups[3].Value), RawIrcServer.Bounded());
        await s.SendAsync(data, SocketFlags.None);
        var ack = new byte[4];
        uint acked = 0;
        while (acked < data.Length)
        {
            var filled = 0;
            while (filled < 4) filled += await s.ReceiveAsync(ack.AsMemory(filled), SocketFlags.None, RawIrcServer.Bounded());
            acked = BinaryPrimitives.ReadUInt32BigEndian(ack);
        }
        await alice.WaitForStdoutAsync($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", Wait);
        Assert.Equal(data, await File.ReadAllBytesAsync(home.File("p.bin"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Send_passive_offers_port_zero_with_a_token_and_connects_to_the_answer()
    {
        await using var server = new RawIrcServer();
        using var home = new TempDir();
        await using var alice = await server.JoinAliceAsync(home);
        var data = RandomNumberGenerator.GetBytes(200_003);
        var file = home.File("out.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);

        await alice.WriteAsync($"/send -passive mallory {file}\n");
        await server.ReadUntilAsync($"PRIVMSG mallory :\u0001DCC SEND out.bin {Loopback} 0 {data.Length} ");
        await server.ReadUntilAsync("\u0001\r\n");
        var offer = DccSend().Match(server.Received);
        Assert.True(offer.Success, server.Received);
        var token = offer.Groups[5].Value;

        // An answer with another token is not ours: it shows as an offer and nothing connects.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND out.bin {Loopback} {port} {data.Length} 1{token}\u0001\r\n");
        await alice.WaitForStdoutAsync($"mallory offers 'out.bin' (195.3 KiB) from 127.0.0.1:{port}", Wait);
        Assert.False(listener.Pending());

        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND out.bin {Loopback} {port} {data.Length} {token}\u0001\r\n");
        using var s = await listener.AcceptSocketAsync(RawIrcServer.Bounded());
        var received = new MemoryStream();
        var buffer = new byte[65536];
        var ack = new byte[4];
        while (received.Length < data.Length)
        {
            var n = await s.ReceiveAsync(buffer, SocketFlags.None, RawIrcServer.Bounded());
            Assert.NotEqual(0, n);
            received.Write(buffer, 0, n);
            BinaryPrimitives.WriteUInt32BigEndian(ack, (uint)received.Length);
            await s.SendAsync(ack, SocketFlags.None);
        }
        Assert.Equal(data, received.ToArray());
        await alice.WaitForStdoutAsync($"sent 'out.bin' to mallory: 195.3 KiB", Wait);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", alice.Stdout);
    }

    [Fact]
    public async Task Resume_asks_for_the_rest_after_the_part_file_and_the_whole_file_verifies()
    {
        await using var server = new RawIrcServer();
        using var home = new TempDir();
        await using var alice = await server.JoinAliceAsync(home);
        var data = RandomNumberGenerator.GetBytes(100_000);
        const int have = 40_000;
        await File.WriteAllBytesAsync(home.File("r.bin.part"), data[..have], TestContext.Current.CancellationToken);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND r.bin {Loopback} {port} {data.Length}\u0001\r\n");
        await alice.WaitForStdoutAsync("/resume mallory to continue the 39.1 KiB already in r.bin.part", Wait);
        await alice.WriteAsync("/resume mallory\n");
        await server.ReadUntilAsync($"PRIVMSG mallory :\u0001DCC RESUME r.bin {port} {have}\u0001");
        Assert.False(listener.Pending()); // nothing connects before the sender agrees
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC ACCEPT r.bin {port} {have}\u0001\r\n");

        using var s = await listener.AcceptSocketAsync(RawIrcServer.Bounded());
        await s.SendAsync(data.AsMemory(have), SocketFlags.None, TestContext.Current.CancellationToken);
        // Acknowledgements count the bytes the receiver already had.
        Assert.Equal((uint)data.Length, await LastAckAsync(s, (uint)data.Length));
        await alice.WaitForStdoutAsync($"(resumed after the first {have} bytes)", Wait);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", alice.Stdout);
        Assert.Equal(data, await File.ReadAllBytesAsync(home.File("r.bin"), TestContext.Current.CancellationToken));
        Assert.False(File.Exists(home.File("r.bin.part")));

        // Nothing to resume: said so, and the offer stays for /accept or /reject.
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND n.bin {Loopback} {port} 10\u0001\r\n");
        await alice.WaitForStdoutAsync("mallory offers 'n.bin'", Wait);
        await alice.WriteAsync("/resume mallory\n");
        await alice.WaitForStdoutAsync("nothing to resume: no 'n.bin.part' shorter than the offer", Wait);
        await alice.WriteAsync("/reject mallory\n");
        await server.ReadUntilAsync("NOTICE mallory :\u0001DCC REJECT SEND n.bin\u0001");
    }

    [Fact]
    public async Task Resuming_a_passive_offer_resumes_then_listens_for_the_sender()
    {
        await using var server = new RawIrcServer();
        using var home = new TempDir();
        await using var alice = await server.JoinAliceAsync(home);
        var data = RandomNumberGenerator.GetBytes(90_000);
        const int have = 30_000;
        await File.WriteAllBytesAsync(home.File("pr.bin.part"), data[..have], TestContext.Current.CancellationToken);

        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC SEND pr.bin {Loopback} 0 {data.Length} 55\u0001\r\n");
        await alice.WaitForStdoutAsync("/resume mallory to continue", Wait);
        await alice.WriteAsync("/resume mallory\n");
        await server.ReadUntilAsync($"PRIVMSG mallory :\u0001DCC RESUME pr.bin 0 {have} 55\u0001");
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC ACCEPT pr.bin 0 {have} 55\u0001\r\n");
        // Then, as for any passive offer, the answer names where alice listens.
        await server.ReadUntilAsync($" {data.Length} 55\u0001\r\n");
        var answer = DccSend().Match(server.Received);
        Assert.True(answer.Success, server.Received);
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, int.Parse(answer.Groups[3].Value), RawIrcServer.Bounded());
        await s.SendAsync(data.AsMemory(have), SocketFlags.None, TestContext.Current.CancellationToken);
        Assert.Equal((uint)data.Length, await LastAckAsync(s, (uint)data.Length));
        await alice.WaitForStdoutAsync($"(resumed after the first {have} bytes)", Wait);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", alice.Stdout);
        Assert.Equal(data, await File.ReadAllBytesAsync(home.File("pr.bin"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_resume_request_to_our_offer_is_accepted_and_only_the_rest_is_sent()
    {
        await using var server = new RawIrcServer();
        using var home = new TempDir();
        await using var alice = await server.JoinAliceAsync(home);
        var data = RandomNumberGenerator.GetBytes(150_001);
        const int have = 100_000;
        var file = home.File("whole.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);

        await alice.WriteAsync($"/send mallory {file}\n");
        await server.ReadUntilAsync($" {data.Length}\u0001");
        var port = int.Parse(Regex.Match(server.Received, $@"DCC SEND whole.bin {Loopback} (\d+) {data.Length}").Groups[1].Value);
        // A resume for a port we never offered is ignored; a position past the end is refused.
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC RESUME whole.bin {port + 1} {have}\u0001\r\n");
        await alice.WaitForStdoutAsync("which we are not offering them; ignored", Wait);
        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC RESUME whole.bin {port} {data.Length + 5}\u0001\r\n");
        await alice.WaitForStdoutAsync("refused, they get the whole file", Wait);

        await server.SendAsync($":mallory!m@h PRIVMSG alice :\u0001DCC RESUME whole.bin {port} {have}\u0001\r\n");
        await server.ReadUntilAsync($"PRIVMSG mallory :\u0001DCC ACCEPT whole.bin {port} {have}\u0001");
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, port, RawIrcServer.Bounded());
        var rest = new MemoryStream();
        var buffer = new byte[65536];
        var ack = new byte[4];
        while (rest.Length < data.Length - have)
        {
            var n = await s.ReceiveAsync(buffer, SocketFlags.None, RawIrcServer.Bounded());
            Assert.NotEqual(0, n);
            rest.Write(buffer, 0, n);
            BinaryPrimitives.WriteUInt32BigEndian(ack, (uint)(have + rest.Length));
            await s.SendAsync(ack, SocketFlags.None);
        }
        Assert.Equal(data[have..], rest.ToArray()); // only the missing bytes crossed the wire
        await alice.WaitForStdoutAsync($"sent 'whole.bin' to mallory: 48.8 KiB (resumed after the first {have} bytes)", Wait);
        Assert.Contains($"SHA-256 {Convert.ToHexStringLower(SHA256.HashData(data))}", alice.Stdout);
    }

    /// <summary>Reads 4-byte acknowledgements until one reaches <paramref name="target"/>; returns the last.</summary>
    private static async Task<uint> LastAckAsync(Socket s, uint target)
    {
        var ack = new byte[4];
        uint last = 0;
        while (last < target)
        {
            var filled = 0;
            while (filled < 4)
            {
                var n = await s.ReceiveAsync(ack.AsMemory(filled), SocketFlags.None, RawIrcServer.Bounded());
                if (n == 0) return last;
                filled += n;
            }
            last = BinaryPrimitives.ReadUInt32BigEndian(ack);
        }
        return last;
    }
}
