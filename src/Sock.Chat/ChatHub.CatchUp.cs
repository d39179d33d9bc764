using System.Globalization;
using Sock.Chat.Devices;

namespace Sock.Chat;

/// <summary>
/// Per-device catch-up: when a device of an account leaves, the account store keeps the time it
/// left (a position per account and device, not a copy of anything). When that device comes back to
/// the account's presence, what it missed is replayed from the history the server keeps anyway:
/// each room's and each private conversation's messages after that position, at most the account's
/// AUTOREPLAY-LINES (default 100) per target, with their original times. A device with
/// draft/chathistory gets none unasked (it fetches what it wants).
/// </summary>
public sealed partial class ChatHub
{
    internal const string AutoreplayKey = "autoreplay-lines";
    public const int DefaultAutoreplayLines = 100;

    private static string PositionKey(string device) => "seen/" + device;

    /// <summary>The device left: everything before now was delivered to it.</summary>
    private void SavePosition(ChatMember device, string account)
    {
        try { Accounts.Store.SetSetting(account, PositionKey(DeviceName(device)), DateTimeOffset.UtcNow.UtcTicks.ToString(CultureInfo.InvariantCulture)); }
        catch (SockException e) { Activity?.Invoke(e.Message + " (a device's catch-up position is not saved)"); }
    }

    /// <summary>Where the device left off (null: never seen, or the store cannot say).</summary>
    private DateTimeOffset? Position(ChatMember device, string account) =>
        Setting(account, PositionKey(DeviceName(device))) is { } s && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>NickServ SET AUTOREPLAY-LINES: how many missed lines per room or conversation a returning device is replayed.</summary>
    public int AutoreplayLines(string account) =>
        Setting(account, AutoreplayKey) is { } s && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : DefaultAutoreplayLines;

    /// <summary>What a room's history holds after <paramref name="since"/> (messages only), the last <paramref name="limit"/> of it.</summary>
    private IReadOnlyList<ChatEvent> Missed(string key, DateTimeOffset since, int limit) =>
        limit <= 0 ? [] : [.. History.Recent(key, Options.HistoryLength).Where(e => IsConversation(e) && e.Time > since).TakeLast(limit)];

    /// <summary>After a device's rooms were shown: the private messages it missed, per conversation (rooms were replayed with their joins).</summary>
    private void CatchUpPrivate(ChatConnection device, AccountPresence p, DateTimeOffset since, int limit)
    {
        foreach (var (correspondent, latest) in Conversations(p).ToList())
        {
            if (latest.Time <= since) continue;
            var missed = Missed(ConversationKey(p, correspondent), since, limit);
            if (missed.Count > 0) device.CatchUp(correspondent, missed);
        }
    }
}
