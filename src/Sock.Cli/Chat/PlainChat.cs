using System.Text;
using Sock.Chat.Client;

namespace Sock.Cli.Chat;

/// <summary>
/// Line mode for scripts and pipes: each stdin line is a command or a message; each event is one
/// stdout line, without colour, time or our own messages echoed back. End of input quits.
/// </summary>
internal static class PlainChat
{
    public static async Task<int> RunAsync(ChatClientOptions options, CancellationToken ct)
    {
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        var gate = new object();
        IrcChatClient? client = null;
        void Show(ChatEvent e)
        {
            if (e.Own || e.Kind == ChatEventKind.Progress) return;
            var line = ChatLineFormat.Format(e, client?.Status.Room, color: false, time: false);
            lock (gate) foreach (var part in line.Split('\n')) stdout.WriteLine(part);
        }
        await using (client = new IrcChatClient(options, Show))
        {
            var run = client.RunAsync(ct);
            var input = Task.Run(async () =>
            {
                using var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
                while (await stdin.ReadLineAsync(ct) is { } line)
                {
                    await client.SubmitAsync(line, ct);
                    if (client.Quitting) return;
                }
                await client.EndOfInputAsync(ct);
            }, ct);
            await Task.WhenAny(run, input);
            await run;
        }
        return 0;
    }
}
