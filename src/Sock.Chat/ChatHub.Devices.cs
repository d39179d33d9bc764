using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Sock.Chat.Devices;

namespace Sock.Chat;

/// <summary>
/// Multiclient: several connections (devices) of one account under its one nick. The first
/// connection is the member; when a second attaches, an <see cref="AccountPresence"/> takes its place
/// in the nick table and its rooms, and both connections become devices of it. Others see one member.
/// </summary>
public sealed partial class ChatHub
{
    // Devices to their presence: only connections of accounts with two or more devices are here.
    private readonly ConcurrentDictionary<ChatMember, AccountPresence> _presenceOf = new(ReferenceEqualityComparer.Instance);
    private int _deviceCount;
    // Device names given at login (account@device); a connection that gave none is "default".
    private readonly ConditionalWeakTable<ChatMember, string> _deviceNames = new();
    private readonly Lock _attachGate = new();

    /// <summary>The member a connection acts as: its account's presence when it is a device of one, else itself.</summary>
    public ChatMember Acting(ChatMember m) =>
        Volatile.Read(ref _deviceCount) == 0 ? m : _presenceOf.TryGetValue(m, out var p) ? p : m;

    /// <summary>The presence a connection is a device of, if it is one.</summary>
    public AccountPresence? PresenceOf(ChatMember m) =>
        Volatile.Read(ref _deviceCount) == 0 ? null : _presenceOf.GetValueOrDefault(m);

    /// <summary>Names the device a connection is (from account@device at login).</summary>
    internal void NameDevice(ChatMember m, string device) => _deviceNames.AddOrUpdate(m, device);

    public string DeviceName(ChatMember m) => _deviceNames.TryGetValue(m, out var name) ? name : DeviceNames.Default;

    /// <summary>
    /// The member a connection logged in to <paramref name="account"/> would attach to: one holding
    /// <paramref name="nick"/> logged in to the same account (null when multiclient is off, on a cluster, or none).
    /// </summary>
    public ChatMember? AttachTarget(ChatMember device, string nick, string account)
    {
        if (!Options.Multiclient || Options.ClusterUrl is not null) return null;
        var holder = FindMember(nick);
        if (holder is null || ReferenceEquals(holder, device) || !holder.IsLocal || holder is not (AccountPresence or ChatConnection)) return null;
        return string.Equals(holder.Account, account, StringComparison.OrdinalIgnoreCase) ? holder : null;
    }

    /// <summary>
    /// Makes <paramref name="device"/> a device of <paramref name="holder"/>'s account presence (made
    /// here from the holder when it is a lone connection). A device that was a member of its own (it
    /// logged in after registering) leaves as that member first. The caller then shows it its rooms
    /// (<see cref="ShowRooms"/>), after its own welcome.
    /// </summary>
    public ChatError Attach(ChatConnection device, ChatMember holder)
    {
        AccountPresence p;
        string? oldNick = null;
        lock (_attachGate)
        {
            if (!IsRegistered(holder)) return ChatError.NoSuchNick;
            if (holder is AccountPresence existing)
            {
                if (existing.DeviceCount >= Options.MaxDevicesPerAccount) return ChatError.TooManyDevices;
                p = existing;
            }
            else if (holder is ChatConnection first)
            {
                if (Options.MaxDevicesPerAccount < 2) return ChatError.TooManyDevices;
                p = Promote(first);
            }
            else return ChatError.NoSuchNick;
            if (IsRegistered(device))
            {
                oldNick = device.Nick;
                Quit(device, $"Attached to {p.Nick} as a device");
            }
            device.Nick = p.Nick;
            p.Add(device, DeviceName(device));
            _presenceOf[device] = p;
            Interlocked.Increment(ref _deviceCount);
        }
        Activity?.Invoke($"{p.Nick}: device {DeviceName(device)} attached ({device.Host}, {p.DeviceCount} devices)");
        Returned(p);
        if (oldNick is not null && oldNick != p.Nick)
            device.DeliverToDevice(new ChatEvent { Kind = ChatEventKind.NickChange, Sequence = Next(), From = oldNick, FromPrefix = $"{oldNick}!{device.UserName}@{device.Host}", Text = p.Nick, Sender = p }, mine: true, echo: false);
        return ChatError.None;
    }

    /// <summary>A lone connection gets a second device: a presence takes its place in the nick table and each of its rooms (status kept).</summary>
    private AccountPresence Promote(ChatConnection first)
    {
        var p = new AccountPresence(first);
        _nicks[first.Nick] = p;
        foreach (var name in first.Rooms)
        {
            if (FindRoom(name) is not { } r) continue;
            lock (r.Gate)
            {
                var status = r.Status(first);
                if (!r.Remove(first)) continue;
                r.Add(p, status);
                first.RemoveRoom(r.Name);
                p.AddRoom(r.Name);
            }
        }
        p.Add(first, DeviceName(first));
        _presenceOf[first] = p;
        Interlocked.Increment(ref _deviceCount);
        return p;
    }

    /// <summary>A device just attached is shown the account's rooms as joins (topic, names, replay), each under its room's lock.</summary>
    public void ShowRooms(ChatConnection device)
    {
        if (PresenceOf(device) is not { } p) return;
        // A device seen before gets what it missed since it left (ChatHub.CatchUp.cs); a new one the usual join replay.
        var since = p.Account is { } account ? Position(device, account) : null;
        var limit = since is null || p.Account is null ? 0 : AutoreplayLines(p.Account);
        foreach (var name in p.Rooms)
        {
            if (FindRoom(name) is not { } r) continue;
            lock (r.Gate)
            {
                if (!r.Contains(p)) continue;
                var join = new ChatEvent { Kind = ChatEventKind.Join, Sequence = Next(), From = p.Nick, FromPrefix = p.Prefix, Target = r.Name, Extra = p.RealName, Account = p.Account, Sender = p };
                device.DeliverToDevice(join, mine: true, echo: false);
                device.OnJoined(r, since is { } from ? Missed(r.Name, from, limit) : Recent(r.Name, Options.HistoryReplay));
            }
        }
        if (since is { } after) CatchUpPrivate(device, p, after, limit);
    }

    /// <summary>A device left: the presence stays while it has another; with the last, the account quits.</summary>
    private void Detach(ChatConnection device, AccountPresence p, string reason)
    {
        bool last;
        lock (_attachGate)
        {
            if (!p.Remove(device)) return;
            if (p.Account is { } owner) SavePosition(device, owner);
            _presenceOf.TryRemove(device, out _);
            Interlocked.Decrement(ref _deviceCount);
            last = p.DeviceCount == 0;
        }
        Activity?.Invoke($"{p.Nick}: device {DeviceName(device)} left ({reason})");
        if (!last) return;
        if (p.Account is { } account && IsAlwaysOn(account)) StayOn(p, reason); // ChatHub.AlwaysOn.cs
        else Quit(p, reason);
    }

    /// <summary>Ends the account's device named <paramref name="device"/> ("all": every one); false when it has none of that name.</summary>
    public bool LogoutDevice(ChatMember account, string device, string by)
    {
        var devices = account is AccountPresence p ? p.Devices.Select(d => (d.Connection, d.Name)).ToList()
            : account is ChatConnection c ? [(c, DeviceName(c))] : [];
        var ending = devices.Where(d => device.Equals("all", StringComparison.OrdinalIgnoreCase) || string.Equals(d.Name, device, StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var (connection, _) in ending) connection.Disconnect($"Logged out by device {by}");
        return ending.Count > 0;
    }
}
