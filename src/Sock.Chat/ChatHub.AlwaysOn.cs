using Sock.Chat.Devices;

namespace Sock.Chat;

/// <summary>
/// Always-on: an account that chose it (or every account, by server policy) stays in its rooms under
/// its nick when its last device leaves, away "(disconnected)", as a presence with no device; what
/// is said to it is kept by history as for anyone. Its nick and rooms are kept in the account store,
/// so a restart with --db brings it back (<see cref="RestoreAlwaysOn"/>).
/// </summary>
public sealed partial class ChatHub
{
    internal const string AlwaysOnKey = "always-on", NickKey = "nick", RoomsKey = "rooms";
    public const string DisconnectedAway = "(disconnected)";
    // Set while the store's members are being restored: their rooms are what the store says already.
    private bool _restoring;

    /// <summary>How many always-on members the start restored from the account store.</summary>
    public int RestoredAlwaysOn { get; }

    /// <summary>False when no one can be always-on here: the policy is off, multiclient is off, or this is a cluster node.</summary>
    public bool AlwaysOnAvailable => Options.AlwaysOn != AlwaysOnPolicy.Off && Options.Multiclient && Options.ClusterUrl is null;

    /// <summary>The account's own choice (null: it left it to the server's policy).</summary>
    public bool? AlwaysOnChoice(string account) => Setting(account, AlwaysOnKey) switch { "on" => true, "off" => false, _ => null };

    public bool IsAlwaysOn(string account) => AlwaysOnAvailable && (AlwaysOnChoice(account) ?? Options.AlwaysOn == AlwaysOnPolicy.OptOut);

    /// <summary>NickServ SET ALWAYS-ON, PERSISTENCE SET: null goes back to the server's default.</summary>
    public ChatError SetAlwaysOn(ChatMember m, bool? on)
    {
        if (m.Account is not { } account) return ChatError.AccountRequired;
        if (!AlwaysOnAvailable) return ChatError.Unavailable;
        try
        {
            Accounts.Store.SetSetting(account, AlwaysOnKey, on switch { true => "on", false => "off", null => null });
            if (IsAlwaysOn(account)) SaveRooms(m);
            else Accounts.Store.SetSetting(account, RoomsKey, null);
        }
        catch (SockException e) { Activity?.Invoke(e.Message); return ChatError.Unavailable; }
        return ChatError.None;
    }

    /// <summary>Whether the member holding <paramref name="nick"/> is always-on (its private conversations outlive their other side's nick).</summary>
    private bool KeepsConversationsFor(string nick) =>
        AlwaysOnAvailable && FindMember(nick) is { Account: { } account } holder && holder is not Sock.Chat.Services.ServiceMember
        && (holder is AccountPresence || IsAlwaysOn(account));

    internal string? Setting(string account, string key)
    {
        try { return Accounts.Store.Setting(account, key); }
        catch (SockException e) { Activity?.Invoke(e.Message); return null; }
    }

    /// <summary>Keeps an always-on member's nick and rooms, for a restart.</summary>
    internal void SaveRooms(ChatMember m)
    {
        if (_restoring || m.Account is not { } account || !IsRegistered(m)) return;
        try
        {
            Accounts.Store.SetSetting(account, NickKey, m.Nick);
            Accounts.Store.SetSetting(account, RoomsKey, string.Join(' ', m.Rooms));
        }
        catch (SockException e) { Activity?.Invoke(e.Message + $" ({m.Nick}'s rooms are not saved)"); }
    }

    /// <summary>A lone connection of an always-on account is leaving: a presence with no device takes its place. False when it does not stay.</summary>
    private bool Linger(ChatConnection c, string reason)
    {
        if (!AlwaysOnAvailable || c.Account is not { } account || !IsRegistered(c) || !IsAlwaysOn(account)) return false;
        AccountPresence p;
        lock (_attachGate)
        {
            if (!IsRegistered(c)) return false;
            p = Promote(c);
            p.Remove(c);
            SavePosition(c, account);
            _presenceOf.TryRemove(c, out _);
            Interlocked.Decrement(ref _deviceCount);
        }
        StayOn(p, reason);
        return true;
    }

    /// <summary>The last device left an always-on member: it stays, away, and its rooms are saved.</summary>
    private void StayOn(AccountPresence p, string reason)
    {
        if (p.Away is null)
        {
            SetAway(p, DisconnectedAway);
            p.AwayBecauseDisconnected = true;
        }
        SaveRooms(p);
        Activity?.Invoke($"{p.Nick} stays on with no device ({reason})");
    }

    /// <summary>A device came back to a member that was away because it had none: back.</summary>
    private void Returned(AccountPresence p)
    {
        if (!p.AwayBecauseDisconnected) return;
        p.AwayBecauseDisconnected = false;
        if (p.Away == DisconnectedAway) SetAway(p, null);
    }

    /// <summary>
    /// At start: each always-on account the store kept rooms for comes back as a member with no device,
    /// under its nick, in its rooms, away. Returns how many did.
    /// </summary>
    public int RestoreAlwaysOn()
    {
        if (!AlwaysOnAvailable) return 0;
        IReadOnlyList<KeyValuePair<string, string>> kept;
        try { kept = Accounts.Store.WithSetting(RoomsKey); }
        catch (SockException e) { Activity?.Invoke(e.Message); return 0; }
        var restored = 0;
        _restoring = true;
        try
        {
        foreach (var (name, rooms) in kept)
        {
            if (Accounts.Find(name) is not { } account || !IsAlwaysOn(account.Name)) continue;
            var nick = Setting(account.Name, NickKey) ?? account.Name;
            var p = new AccountPresence(nick, account.Name) { Away = DisconnectedAway, AwayBecauseDisconnected = true };
            if (ClaimNick(p, nick) != ChatError.None) continue;
            foreach (var room in rooms.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (Join(p, room, null, out _) is var error && error != ChatError.None) Activity?.Invoke($"{nick} (always-on) could not rejoin {room}: {error}");
            restored++;
        }
        }
        finally { _restoring = false; }
        if (restored > 0) Activity?.Invoke($"{restored} always-on member(s) restored");
        // Restoring thousands leaves their queries' and joins' garbage behind once, at start: given back now,
        // so the server's footprint is what the members hold (docs/BENCHMARKS.md, bench/always-on.sh).
        if (restored > 1000) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return restored;
    }
}
