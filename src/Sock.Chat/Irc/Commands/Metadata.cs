namespace Sock.Chat.Irc;

/// <summary>
/// IRCv3 draft/metadata-3: <c>METADATA target GET|LIST|SET|CLEAR|SUB|UNSUB|SUBS|SYNC …</c>. The keys and
/// values live in the hub (<see cref="MetadataTable"/>, ChatHub.Metadata.cs); what is IRC's is here: the
/// subscriptions, the numerics and batches, and which changes a client is shown.
/// </summary>
public sealed partial class IrcSession
{
    /// <summary>The keys shown in WHOIS (RPL_WHOISKEYVALUE): a chosen few a person reads, not every key (LIST shows those).</summary>
    private static readonly string[] WhoisMetadataKeys = ["display-name", "pronouns", "homepage", "status"];

    private sealed record MetadataSubcommand(Action<IrcSession, string, IrcMessage> Run, int MinKeys, bool SelfOnly, bool BeforeRegistration);

    private static readonly Dictionary<string, MetadataSubcommand> MetadataSubcommands = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GET"] = new((s, t, m) => s.MetadataGet(t, m), 1, SelfOnly: false, BeforeRegistration: true),
        ["LIST"] = new((s, t, _) => s.MetadataList(t), 0, SelfOnly: false, BeforeRegistration: true),
        ["SET"] = new((s, t, m) => s.MetadataSet(t, m), 1, SelfOnly: false, BeforeRegistration: true),
        ["CLEAR"] = new((s, t, _) => s.MetadataClear(t), 0, SelfOnly: false, BeforeRegistration: true),
        ["SUB"] = new((s, _, m) => s.MetadataSub(m), 1, SelfOnly: true, BeforeRegistration: true),
        ["UNSUB"] = new((s, _, m) => s.MetadataUnsub(m), 1, SelfOnly: true, BeforeRegistration: true),
        ["SUBS"] = new((s, _, _) => s.MetadataSubs(), 0, SelfOnly: true, BeforeRegistration: true),
        ["SYNC"] = new((s, t, _) => s.MetadataSync(t), 0, SelfOnly: false, BeforeRegistration: false),
    };

    /// <summary>draft/metadata-3=… as CAP LS 302 shows it: METADATA before registration, and the limits.</summary>
    internal static string MetadataCapValue(ChatServerOptions o) =>
        $"before-connect,max-subs={o.MetadataMaxSubscriptions},max-keys={o.MetadataMaxKeys},max-key-bytes={MetadataKeys.MaxKeyLength},max-value-bytes={o.MetadataMaxValueBytes}";

    private bool MetadataAware => Has(IrcCap.Metadata | IrcCap.Batch, all: true);

    internal void MetadataCommand(IrcMessage m)
    {
        var sub = m.Param(1);
        if (m.Params.Count < 2 || !MetadataSubcommands.TryGetValue(sub, out var command))
        {
            Fail("METADATA", "INVALID_PARAMS", sub.Length == 0 ? "*" : Word(sub.ToUpperInvariant()), m.Params.Count < 2 ? "Not enough parameters" : "Unknown subcommand");
            return;
        }
        var name = sub.ToUpperInvariant();
        // Before registration only with the cap (it is what advertises before-connect), and only on oneself.
        if (!_registered && (!command.BeforeRegistration || !Has(IrcCap.Metadata))) { Reply(Err.NotRegistered, "You have not registered"); return; }
        if (m.Params.Count - 2 < command.MinKeys) { Fail("METADATA", "INVALID_PARAMS", name, "Not enough parameters"); return; }
        var target = m.Param(0);
        var self = target == "*" || (_registered && string.Equals(target, Nick, StringComparison.OrdinalIgnoreCase));
        if ((command.SelfOnly || !_registered) && !self && !(name == "SYNC" && target == "*ALL"))
        {
            Fail("METADATA", "INVALID_TARGET", Word(target), "Invalid metadata target");
            return;
        }
        command.Run(this, self ? "*" : target, m);
    }

    /// <summary>"*" (oneself) or a nick or room; null after telling the client there is no such target.</summary>
    private MetadataTarget? MetadataTargetOf(string target)
    {
        if (target == "*") return new MetadataTarget(Self, null);
        if (Hub.FindMetadataTarget(target) is { } t) return t;
        Fail("METADATA", "INVALID_TARGET", Word(target), "Invalid metadata target");
        return null;
    }

    /// <summary>The target as the client may read it: null (after a FAIL) when it may not.</summary>
    private MetadataTarget? ReadableMetadataTarget(string target)
    {
        if (MetadataTargetOf(target) is not { } t) return null;
        if (ChatHub.CanSeeMetadata(Self, t)) return t;
        Fail("METADATA", "KEY_NO_PERMISSION", t.Name, "*", "You may not see this target's metadata");
        return null;
    }

    private void MetadataGet(string target, IrcMessage m)
    {
        if (ReadableMetadataTarget(target) is not { } t) return;
        MetadataBatch(t.Name, () =>
        {
            foreach (var key in m.Params.Skip(2))
            {
                if (!MetadataKeys.IsValidKey(key)) Emit(new IrcMessage("WARN", ["METADATA", "INVALID_KEY", Word(key), "Invalid key"], Server).Format(forceTrailing: true));
                else if (t.Table.Get(key) is { } value) KeyValue(t.Name, key, value);
                else KeyNotSet(t.Name, key);
            }
        });
    }

    private void MetadataList(string target)
    {
        if (ReadableMetadataTarget(target) is not { } t) return;
        MetadataBatch(t.Name, () => { foreach (var (key, value) in t.Table.Entries) KeyValue(t.Name, key, value); });
    }

    private void MetadataSet(string target, IrcMessage m)
    {
        if (MetadataTargetOf(target) is not { } t) return;
        var key = m.Param(2);
        var value = m.Params.Count > 3 && m.Param(3).Length > 0 ? m.Param(3) : null;
        switch (Hub.SetMetadata(Self, t, key, value))
        {
            case MetadataError.None:
                if (t.Table.Get(key) is { } now) KeyValue(t.Name, key, now);
                else KeyNotSet(t.Name, key);
                break;
            case MetadataError.InvalidKey: Fail("METADATA", "INVALID_KEY", Word(key), "Invalid key"); break;
            case MetadataError.InvalidValue: Fail("METADATA", "INVALID_VALUE", key, $"Invalid value (at most {Options.MetadataMaxValueBytes} bytes of UTF-8)"); break;
            case MetadataError.NoPermission: Fail("METADATA", "KEY_NO_PERMISSION", t.Name, key, "You may not change this target's metadata"); break;
            case MetadataError.LimitReached: Fail("METADATA", "LIMIT_REACHED", "SET", t.Name, Number(Options.MetadataMaxKeys), "Metadata limit reached"); break;
        }
    }

    private void MetadataClear(string target)
    {
        if (MetadataTargetOf(target) is not { } t) return;
        if (Hub.ClearMetadata(Self, t) is not { } cleared) { Fail("METADATA", "KEY_NO_PERMISSION", t.Name, "*", "You may not change this target's metadata"); return; }
        MetadataBatch(t.Name, () => { foreach (var key in cleared) KeyNotSet(t.Name, key); });
    }

    private void MetadataSub(IrcMessage m)
    {
        MetadataSubscriptions ??= new HashSet<string>(StringComparer.Ordinal);
        var ok = new List<string>();
        var added = false;
        foreach (var key in m.Params.Skip(2))
        {
            if (!MetadataKeys.IsValidKey(key)) { Emit(new IrcMessage("WARN", ["METADATA", "INVALID_KEY", Word(key), "Invalid key"], Server).Format(forceTrailing: true)); continue; }
            if (!MetadataSubscriptions.Contains(key) && MetadataSubscriptions.Count >= Options.MetadataMaxSubscriptions)
            {
                // The keys before this one stand; this one and those after it were not taken.
                if (ok.Count > 0) ReplyTo(Rpl.MetadataSubOk, false, [.. ok]);
                ok.Clear();
                Fail("METADATA", "LIMIT_REACHED", "SUB", key, Number(Options.MetadataMaxSubscriptions), "Too many subscriptions");
                break;
            }
            added |= MetadataSubscriptions.Add(key);
            ok.Add(key);
        }
        if (ok.Count > 0) ReplyTo(Rpl.MetadataSubOk, false, [.. ok]);
        // New keys after registration: the values already set are to be synchronised. They are many on a busy
        // server, so the client is asked to fetch them (METADATA *ALL SYNC) rather than sent them here unasked.
        if (added && _registered) ReplyTo(Err.MetadataSyncLater, true, "*ALL", "0", "Synchronize metadata with METADATA *ALL SYNC");
    }

    private void MetadataUnsub(IrcMessage m)
    {
        var ok = new List<string>();
        foreach (var key in m.Params.Skip(2))
        {
            if (!MetadataKeys.IsValidKey(key)) { Emit(new IrcMessage("WARN", ["METADATA", "INVALID_KEY", Word(key), "Invalid key"], Server).Format(forceTrailing: true)); continue; }
            MetadataSubscriptions?.Remove(key);
            ok.Add(key);
        }
        if (ok.Count > 0) ReplyTo(Rpl.MetadataUnsubOk, false, [.. ok]);
    }

    private void MetadataSubs()
    {
        var keys = MetadataSubscriptions?.Order(StringComparer.Ordinal).ToList() ?? [];
        InBatch("metadata-subs", null, () => { foreach (var chunk in keys.Chunk(10)) ReplyTo(Rpl.MetadataSubs, false, chunk); });
    }

    /// <summary>SYNC: the subscribed keys of a user; of a room and its members; or (*ALL) of oneself, one's rooms and their members.</summary>
    private void MetadataSync(string target)
    {
        if (target == "*ALL")
        {
            var seen = new HashSet<ChatMember>(ReferenceEqualityComparer.Instance) { this };
            MetadataBatch("*ALL", () =>
            {
                SubscribedValues(Nick, Metadata);
                foreach (var name in Self.Rooms)
                {
                    if (Hub.FindRoom(name) is not { } r) continue;
                    SubscribedValues(r.Name, r.Metadata);
                    foreach (var member in r.Members)
                        if (seen.Add(member)) SubscribedValues(member.Nick, member.Metadata);
                }
            });
            return;
        }
        if (ReadableMetadataTarget(target) is not { } t) return;
        MetadataBatch(t.Name, () =>
        {
            SubscribedValues(t.Name, t.Table);
            if (t.Room is { } room)
                foreach (var member in room.Members) SubscribedValues(member.Nick, member.Metadata);
        });
    }

    /// <summary>After our JOIN (under the room's lock): the room's and its members' subscribed values, as SYNC would send them.</summary>
    private void MetadataOnJoin(ChatRoom room)
    {
        if (!MetadataAware) return;
        MetadataBatch(room.Name, () =>
        {
            SubscribedValues(room.Name, room.Metadata);
            foreach (var member in room.Live) SubscribedValues(member.Nick, member.Metadata);
        });
    }

    /// <summary>In the welcome burst (before the MOTD's end): everything set on oneself, subscribed or not (values set before-connect, say).</summary>
    private void MetadataOnWelcome()
    {
        if (!Has(IrcCap.Metadata)) return;
        MetadataBatch(Nick, () => { foreach (var (key, value) in Metadata.Entries) KeyValue(Nick, key, value); });
    }

    /// <summary>RPL_WHOISKEYVALUE for the few keys WHOIS shows.</summary>
    private void WhoisMetadata(ChatMember x)
    {
        foreach (var key in WhoisMetadataKeys)
            if (x.Metadata.Get(key) is { } value) ReplyTo(Rpl.WhoisKeyValue, true, x.Nick, key, "*", value);
    }

    /// <summary>A change someone else made, to a subscriber of its key (metadata-aware clients only).</summary>
    private void DeliverMetadata(ChatEvent e)
    {
        if (ReferenceEquals(e.Sender, Self) || !MetadataAware || MetadataSubscriptions?.Contains(e.Text) != true) return;
        if (e.Extra is { } value) KeyValue(e.Target!, e.Text, value);
        else KeyNotSet(e.Target!, e.Text);
    }

    /// <summary>A client that drops the cap (or batch) loses its subscriptions (the spec's rule: it would be told nothing).</summary>
    private void MetadataCapsChanged()
    {
        if (!MetadataAware) MetadataSubscriptions = null;
    }

    private void SubscribedValues(string target, MetadataTable table)
    {
        if (MetadataSubscriptions is not { Count: > 0 } subs) return;
        foreach (var (key, value) in table.Entries)
            if (subs.Contains(key)) KeyValue(target, key, value);
    }

    private void KeyValue(string target, string key, string value) => ReplyTo(Rpl.KeyValue, true, target, key, "*", value);

    private void KeyNotSet(string target, string key) => ReplyTo(Rpl.KeyNotSet, true, target, key, "Key not set");

    /// <summary>A <c>metadata</c> batch about <paramref name="target"/>.</summary>
    private void MetadataBatch(string target, Action body) => InBatch("metadata", target, body);

    /// <summary>The lines <paramref name="body"/> sends, in a batch of that type when the client took batch (else bare).</summary>
    private void InBatch(string type, string? parameter, Action body)
    {
        if (!Has(IrcCap.Batch)) { body(); return; }
        var id = NewBatchId();
        Emit($":{Server} BATCH +{id} {type}" + (parameter is null ? "" : " " + parameter));
        var (outer, outerThread) = (BatchTag, BatchThread);
        (BatchTag, BatchThread) = ("batch=" + id, Environment.CurrentManagedThreadId);
        try { body(); }
        finally { (BatchTag, BatchThread) = (outer, outerThread); }
        Emit($":{Server} BATCH -{id}");
    }
}
