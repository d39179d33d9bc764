using System.Net;
using Sock.Tls;

namespace Sock.Chat;

/// <summary>Every limit, timeout and default of the chat server, in one place.</summary>
public sealed record ChatServerOptions
{
    public const int DefaultPort = 4323;

    /// <summary>Address to listen on; null listens on all interfaces (IPv6 dual-stack when available).</summary>
    public IPAddress? BindAddress { get; init; }
    public int Port { get; init; } = DefaultPort;
    /// <summary>More listeners beside <see cref="BindAddress"/>:<see cref="Port"/> (--listen), each speaking every protocol.</summary>
    public IReadOnlyList<ChatListenAddress> Listeners { get; init; } = [];
    /// <summary>The server's name in IRC numerics (default: the host's FQDN).</summary>
    public string ServerName { get; init; } = DefaultServerName();
    /// <summary>Connection password (IRC PASS; plain users must /login first).</summary>
    public string? Password { get; init; }
    /// <summary>IRC operator accounts (OPER NAME PASSWORD).</summary>
    public IReadOnlyDictionary<string, string> Operators { get; init; } = new Dictionary<string, string>();
    /// <summary>Messages kept per room and replayed on join.</summary>
    public int HistoryLength { get; init; } = 50;
    /// <summary>Messages replayed on join (at most <see cref="HistoryLength"/>).</summary>
    public int HistoryReplay { get; init; } = 20;
    public string? DatabasePath { get; init; }
    /// <summary>--cluster: the Redis the nodes share (redis://HOST:PORT); null: one node on its own.</summary>
    public string? ClusterUrl { get; init; }
    /// <summary>--node-id: this node's name in the cluster, stable across its restarts (it cleans up after itself under it).</summary>
    public string? NodeId { get; init; }
    public string Motd { get; init; } = "Welcome to sock chat. Plain and IRC users share these rooms.";
    public int MaxClients { get; init; } = 100_000;
    /// <summary>Connections open at once from one address (IPv6: one /64); 0 = no limit.</summary>
    public int MaxPerAddress { get; init; } = 16;
    /// <summary>New connections a minute from one address (IPv6: one /64), as a token bucket; 0 = no limit.</summary>
    public int ConnectsPerMinute { get; init; } = 32;
    /// <summary>Networks the per-address limits never apply to: the loopback host itself by default
    /// (only 127.0.0.1 and ::1, so the rest of 127/8 stays limited and testable).</summary>
    public IReadOnlyList<IPNetwork> LimitExempt { get; init; } = DefaultLimitExempt;
    public static readonly IReadOnlyList<IPNetwork> DefaultLimitExempt = [IPNetwork.Parse("127.0.0.1/32"), IPNetwork.Parse("::1/128")];
    /// <summary>Plain members of a room with more members than this get no join/part/quit lines (IRC clients still get JOIN/PART/QUIT).</summary>
    public int AnnounceJoins { get; init; } = 200;
    /// <summary>Bytes waiting for a client that stops reading before it is disconnected.</summary>
    public long MaxQueueBytes { get; init; } = 4 * 1024 * 1024;
    /// <summary>Lines per second a client may send before its lines are delayed; 0 = off.</summary>
    public double FloodLinesPerSecond { get; init; }
    /// <summary>Lines a client may send at once before flood control delays it.</summary>
    public int FloodBurst { get; init; } = 10;
    public int MaxLineBytes { get; init; } = 8 * 1024;
    /// <summary>A plain chunk without a newline counts as a line after this pause.</summary>
    public TimeSpan LinePause { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>A client that sends nothing for this long is taken as a plain client.</summary>
    public TimeSpan DetectTimeout { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>IRC clients must finish NICK/USER (and CAP) within this time.</summary>
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>An IRC client silent this long gets a PING …</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>… and is disconnected if it stays silent this much longer.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Connections opened or closed after which, once none has for a second or two, the server runs
    /// one full compacting collection and returns the freed memory to the OS (<see cref="IdleCompactor"/>); 0 = never.
    /// </summary>
    public int CompactAfterChurn { get; init; } = 1000;
    /// <summary>How long a disconnecting client gets to receive its last notice.</summary>
    public TimeSpan CloseGrace { get; init; } = TimeSpan.FromSeconds(1);
    public string DefaultRoom { get; init; } = "#lobby";
    public int NickLength { get; init; } = 30;
    public int ChannelLength { get; init; } = 50;
    public int TopicLength { get; init; } = 390;
    public int MaxChannelsPerClient { get; init; } = 50;
    public int AwayLength { get; init; } = 390;
    public int RealNameLength { get; init; } = 390;
    public int UserLength { get; init; } = 10;
    /// <summary>Entries in each room's +b, +e and +I list (ISUPPORT MAXLIST).</summary>
    public int MaxListEntries { get; init; } = 100;
    /// <summary>Nicks one client may MONITOR.</summary>
    public int MonitorLimit { get; init; } = 100;
    /// <summary>Departed nicks remembered for WHOWAS.</summary>
    public int WhoWasLength { get; init; } = 1000;
    /// <summary>Targets one PRIVMSG/NOTICE may name (ISUPPORT TARGMAX).</summary>
    public int MaxTargets { get; init; } = 4;
    /// <summary>Parameter-taking mode changes one MODE command may make (ISUPPORT MODES).</summary>
    public int MaxModesPerCommand { get; init; } = 6;
    /// <summary>draft/metadata-3: keys one member or room may hold, keys one client may subscribe to, the longest value in UTF-8 bytes.</summary>
    public int MetadataMaxKeys { get; init; } = 20;
    public int MetadataMaxSubscriptions { get; init; } = 50;
    public int MetadataMaxValueBytes { get; init; } = 300;
    /// <summary>draft/multiline: the largest batch accepted, in bytes and lines.</summary>
    public int MultilineMaxBytes { get; init; } = 4096;
    public int MultilineMaxLines { get; init; } = 100;
    /// <summary>The server's one-line description (LINKS, WHOIS 312).</summary>
    public string ServerInfo { get; init; } = "sock chat server";
    /// <summary>
    /// A server name for the built-in services: NickServ and ChanServ are shown on it (their host, WHOIS 312) and
    /// LINKS lists it linked to this server, as on networks whose services are a linked server. Null: they are shown
    /// on this server and LINKS lists only it.
    /// </summary>
    public string? ServicesServer { get; init; }
    /// <summary>Shown by ADMIN.</summary>
    public string AdminInfo { get; init; } = "sock chat server";
    public string AdminEmail { get; init; } = "";
    /// <summary>Password hashing, minimum length, verification (docs/accounts.md).</summary>
    public Accounts.AccountOptions AccountOptions { get; init; } = new();
    /// <summary>How long someone not logged in may hold a registered nick before it is changed to a guest nick.</summary>
    public TimeSpan NickGrace { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Only logged-in users may talk (accounts-only server).</summary>
    public bool RequireAccount { get; init; }
    /// <summary>A logged-in account may hold several connections (devices) under its one nick (docs/devices.md).</summary>
    public bool Multiclient { get; init; } = true;
    /// <summary>The most devices one account may have connected at once.</summary>
    public int MaxDevicesPerAccount { get; init; } = 16;
    /// <summary>Who stays on when their last device leaves: nobody, accounts that ask (NickServ SET ALWAYS-ON ON), or all but those that decline.</summary>
    public Devices.AlwaysOnPolicy AlwaysOn { get; init; } = Devices.AlwaysOnPolicy.OptIn;
    /// <summary>Port to advertise in the IRCv3 sts cap when TLS is on (null: the main port).</summary>
    public int? StsPort { get; init; }
    public string NetworkName { get; init; } = "sock";
    /// <summary>When set, connections starting with a TLS ClientHello (0x16) are wrapped in TLS.</summary>
    public TlsServerSettings? Tls { get; init; }

    public static string DefaultServerName()
    {
        try
        {
            var host = Dns.GetHostName();
            var fqdn = Dns.GetHostEntry(host).HostName;
            return string.IsNullOrEmpty(fqdn) ? host : fqdn;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }
}
