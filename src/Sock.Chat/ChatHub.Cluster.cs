namespace Sock.Chat;

/// <summary>
/// What a cluster node needs of the hub: members of other nodes shown here, and room events
/// sequenced elsewhere applied here in the room's order. The hub knows nothing of Redis.
/// </summary>
public sealed partial class ChatHub
{
    /// <summary>A member of another node appears (it registered there, or was there when this node started).</summary>
    internal bool AddRemote(ChatMember m)
    {
        if (m.IsLocal || !_nicks.TryAdd(m.Nick, m)) return false;
        NotifyMonitors(m.Nick, online: m);
        return true;
    }

    /// <summary>
    /// Applies one room event in the room's cluster order. For an event of another node
    /// (<paramref name="mine"/> false) the room changes here first as it did there: a join adds
    /// <paramref name="subject"/>, a topic or mode change is applied; then <paramref name="deliver"/>
    /// runs under the room's lock (null when the room has closed here), then a part or kick removes
    /// its member. An event of this node changed the room when it was accepted.
    /// </summary>
    internal void ApplyClustered(string roomName, ChatEvent e, ChatMember? subject, RoomStatus status, bool mine, Action<ChatRoom?> deliver)
    {
        var r = e.Kind == ChatEventKind.Join && !mine && subject is not null ? OpenRoom(roomName) : FindRoom(roomName);
        if (r is null) { deliver(null); return; }
        // What is said changes nothing in the room, and each node applies its bus one event at a time:
        // delivered without the room's lock, which the node's own senders need meanwhile (perf: contention).
        if (e.Kind is ChatEventKind.Message or ChatEventKind.Action or ChatEventKind.Notice or ChatEventKind.TagOnly && e.Audience == RoomStatus.None)
        {
            deliver(r);
            return;
        }
        lock (r.Gate)
        {
            if (!mine)
            {
                switch (e.Kind)
                {
                    case ChatEventKind.Join when subject is not null:
                        r.Uninvite(subject.Nick); // the invitation was used, wherever it was given
                        r.Add(subject, status);
                        subject.AddRoom(r.Name);
                        break;
                    case ChatEventKind.Invite:
                        // The invitee may join on any node: each node's +i check must know of it.
                        r.Invite(e.Text);
                        break;
                    case ChatEventKind.Topic:
                        r.Topic = e.Text;
                        r.TopicSetBy = e.FromPrefix;
                        r.TopicTime = e.Time;
                        break;
                    case ChatEventKind.Mode:
                        ApplyModeText(r, e.Sender, e.Text, e.Extra);
                        break;
                }
            }
            deliver(r);
            if (!mine && e.Kind is ChatEventKind.Part or ChatEventKind.Kick && subject is not null) RemoveLocked(r, subject);
        }
    }

    /// <summary>A room as another node has it, restored when this node joins the cluster.</summary>
    internal void RestoreClustered(string roomName, string topic, string topicBy, DateTimeOffset topicTime, string modes,
        IEnumerable<(ChatMember Member, RoomStatus Status)> members)
    {
        var r = OpenRoom(roomName);
        lock (r.Gate)
        {
            r.Topic = topic;
            r.TopicSetBy = topicBy;
            r.TopicTime = topicTime;
            ApplyModeString(r, null, modes);
            foreach (var (m, s) in members)
            {
                r.Add(m, s);
                m.AddRoom(r.Name);
            }
            if (r.Count == 0) Close(r);
        }
    }

    private ChatRoom OpenRoom(string name)
    {
        while (true)
        {
            var r = _rooms.GetOrAdd(name, CreateRoom);
            if (!r.Closed) return r;
            _rooms.TryRemove(new KeyValuePair<string, ChatRoom>(name, r));
        }
    }

    /// <summary>Applies a room's mode string as 324 shows it (<c>+klnt key 10</c>): a room restored from ChanServ or from the cluster.</summary>
    private void ApplyModeString(ChatRoom r, ChatMember? by, string modes)
    {
        var space = modes.IndexOf(' ');
        ApplyModeText(r, by, space < 0 ? modes : modes[..space], space < 0 ? null : modes[(space + 1)..]);
    }

    /// <summary>Applies an announced mode change (<c>+o-v</c> and its parameters) as it was accepted elsewhere.</summary>
    private void ApplyModeText(ChatRoom r, ChatMember? by, string text, string? args)
    {
        var parameters = new Queue<string>((args ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var setter = by ?? Services.ChanServ;
        var on = true;
        foreach (var c in text)
        {
            if (c is '+' or '-') { on = c == '+'; continue; }
            var mode = RoomMode.Find(c);
            if (mode is null) continue;
            var arg = mode.TakesParameter(on) && parameters.Count > 0 ? parameters.Dequeue() : null;
            Apply(r, setter, new ModeChange(on, c, arg));
        }
    }
}
