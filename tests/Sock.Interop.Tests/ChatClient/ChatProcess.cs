using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.ChatClient;

/// <summary>Starts `sock chat join` in plain mode with its config dir and working dir in a temp folder.</summary>
internal static class ChatProcess
{
    public static RunningProcess Plain(string server, string nick, TempDir home, params string[] extra) =>
        RunningProcess.Start(SockCli.Path, ["chat", "join", server, "--nick", nick, "--plain", .. extra], home.Path,
            new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = home.File("config") });

    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
}
