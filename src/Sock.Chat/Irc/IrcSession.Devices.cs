using Sock.Chat.Devices;

namespace Sock.Chat.Irc;

/// <summary>Multiclient over IRC: the member a session acts as, and attaching at registration (docs/devices.md).</summary>
public sealed partial class IrcSession
{
    /// <summary>The member this session acts as in the hub: its account's presence when it is one of several devices, else itself.</summary>
    private ChatMember Self => Hub.Acting(this);

    /// <summary>
    /// Registration found the nick in use: when its holder is logged in to this session's account
    /// (SASL), this session becomes another device of it instead of getting 433. True when it did
    /// (or said why not, in which case 433 follows as usual).
    /// </summary>
    private bool TryAttach(string nick)
    {
        if (Account is not { } account || Hub.AttachTarget(this, nick, account) is not { } holder) return false;
        switch (Hub.Attach(this, holder))
        {
            case ChatError.None:
                _registered = true;
                Welcome();
                Hub.ShowRooms(this);
                return true;
            case ChatError.TooManyDevices:
                Fail("NICK", "TOO_MANY_DEVICES", Word(nick), $"{account} already has {Options.MaxDevicesPerAccount} devices connected (the server's limit); end one with /msg NickServ CLIENTS LOGOUT device");
                return false;
            default:
                return false;
        }
    }

    /// <summary>A SASL login name: account@device names the device; false (SASL failed) when the device name is not usable.</summary>
    private bool TakeDeviceName(string login, out string account)
    {
        if (!DeviceNames.TrySplit(login, out account, out var device, out var error)) { SaslFailed(error!); return false; }
        if (device != DeviceNames.Default) Hub.NameDevice(this, device);
        return true;
    }

    /// <summary>Missed private messages, replayed as a join's history is (nothing unasked for a client with draft/chathistory).</summary>
    internal override void CatchUp(string correspondent, IReadOnlyList<ChatEvent> missed)
    {
        if (!Has(IrcCap.ChatHistory)) SendReplay(correspondent, missed);
    }
}
