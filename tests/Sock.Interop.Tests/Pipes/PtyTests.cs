using Sock.Interop.Tests.ChatClient;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Pipes;

/// <summary>
/// `--exec … --pty` (socat's EXEC:…,pty,setsid,ctty): tmux types into `sock connect --raw`, which is
/// connected to `sock listen --exec /bin/bash --pty`; the shell has a real terminal, job control
/// works and a full-screen program runs and quits.
/// </summary>
public class PtyTests
{
    private static async Task<(RunningProcess Listener, int Port)> ShellServerAsync()
    {
        var port = FreePort.Tcp();
        var listener = SockCli.Start("listen", "127.0.0.1", $"{port}", "--keep-open", "--exec", "/bin/bash --norc --noprofile -i", "--pty");
        await FreePort.WaitListeningAsync(port, TimeSpan.FromSeconds(30));
        return (listener, port);
    }

    [Fact]
    public async Task TmuxDrivesAShellWithATerminalJobControlAndAFullScreenProgram()
    {
        var (listener, port) = await ShellServerAsync();
        await using var _ = listener;
        await using var tmux = await Tmux.StartAsync($"'{SockCli.Path}' connect --raw 127.0.0.1 {port}");

        await tmux.TypeAsync("tty; stty size\r");
        await tmux.WaitForAsync("/dev/pts/");
        await tmux.WaitForAsync("24 80"); // the window size the terminal was made with

        // Job control: a background job, and a foreground one suspended with Ctrl-Z.
        await tmux.TypeAsync("sleep 100 &\r");
        await tmux.TypeAsync("sleep 200\r");
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await tmux.KeysAsync("C-z");
        await tmux.WaitForAsync("Stopped");
        await tmux.TypeAsync("jobs\r");
        await tmux.WaitForAsync("Running");
        await tmux.WaitForAsync("sleep 100 &");
        await tmux.TypeAsync("fg %2\r");
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await tmux.KeysAsync("C-c"); // reaches sleep through the terminal's interrupt, not sock
        await tmux.TypeAsync("kill %1; echo after-$((6*7))\r");
        await tmux.WaitForAsync("after-42");

        // A full-screen program: less takes the screen, and gives it back on q.
        await tmux.TypeAsync("clear; less /etc/services\r");
        var screen = await tmux.WaitForAsync("/etc/services");
        Assert.Contains(screen, l => l.Contains("tcpmux", StringComparison.Ordinal) || l.Contains("echo", StringComparison.Ordinal));
        await tmux.TypeAsync("G");
        await tmux.WaitForAsync("(END)");
        await tmux.TypeAsync("q");
        await tmux.TypeAsync("echo back-$((2+3))\r");
        await tmux.WaitForAsync("back-5");

        await tmux.TypeAsync("exit\r");
        await tmux.WaitForAsync("EXITED 0");
    }

    [Fact]
    public async Task WithoutATerminalOnOurSideThePtyStillTellsTheProgramItHasOne()
    {
        var (listener, port) = await ShellServerAsync();
        await using var _ = listener;
        await using var client = SockCli.Start("connect", "127.0.0.1", $"{port}");
        await client.WriteAsync("test -t 0 && echo stdin-is-a-$((1+0))-terminal; ps -o tty=,stat= -p $$; exit\n");
        Assert.Equal(0, await client.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stdin-is-a-1-terminal", client.Stdout, StringComparison.Ordinal);
        // bash leads its own session (s) on the terminal.
        Assert.Matches(@"pts/\d+\s+\S*s", client.Stdout);
    }

    [Theory]
    [InlineData("listen", "127.0.0.1", "9", "--pty")]
    [InlineData("connect", "127.0.0.1", "9", "--pty")]
    public async Task PtyWithoutExecIsUsage(params string[] args)
    {
        var (code, stdout, stderr) = await SockCli.RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("sock: --pty needs --exec or --sh-exec\n", stderr);
    }
}
