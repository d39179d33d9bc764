namespace Sock.Chat.Cluster;

/// <summary>
/// A user connected to another node, as this node's hub shows it (NAMES, WHO, WHOIS, private messages).
/// Its own node delivers room events and presence changes to it; what this node sends it directly
/// (a private message, an invitation) is forwarded to that node.
/// </summary>
internal sealed class RemoteMember : ChatMember
{
    private readonly ClusterNode _cluster;
    private readonly string _protocol;

    public RemoteMember(ClusterNode cluster, WireUser u)
    {
        _cluster = cluster;
        NodeId = u.Node;
        NodeServer = u.Server;
        Nick = u.Nick;
        Host = u.Host;
        _protocol = u.Proto;
        Update(u);
    }

    public string NodeId { get; }
    public override bool IsLocal => false;
    public override string? NodeServer { get; }
    public override string Protocol => _protocol;

    /// <summary>Takes what may have changed since (away, real name, account, modes).</summary>
    public void Update(WireUser u)
    {
        UserName = u.User;
        RealName = u.Real;
        Account = u.Account;
        Away = u.Away;
        IsBot = u.Bot;
        IsOperator = u.Oper;
        Invisible = u.Invisible;
    }

    public override void Deliver(ChatEvent e)
    {
        // Presence and room events reach it from its own node; only what is addressed to it goes there.
        if (e.Sender is { IsLocal: false }) return;
        var addressed = e.Kind == ChatEventKind.Invite
            || (e.Kind is ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Notice or ChatEventKind.TagOnly or ChatEventKind.Redact && e.IsPrivate);
        if (addressed) _cluster.Forward(this, e);
    }

    public override void Disconnect(string reason) => _cluster.Kill(this, reason);
}
