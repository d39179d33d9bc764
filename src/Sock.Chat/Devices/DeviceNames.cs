namespace Sock.Chat.Devices;

/// <summary>
/// A login name may name the device too: <c>account@device</c> (Ergo's convention, in SASL PLAIN's
/// authcid, SCRAM's username, NickServ IDENTIFY and plain /login). Without one the device is "default".
/// </summary>
public static class DeviceNames
{
    public const string Default = "default";
    public const int MaxLength = 32;

    /// <summary>Splits <c>account@device</c>; false (with the reason) when the device part is not a usable name.</summary>
    public static bool TrySplit(string login, out string account, out string device, out string? error)
    {
        error = null;
        var at = login.IndexOf('@', StringComparison.Ordinal);
        if (at < 0) { account = login; device = Default; return true; }
        account = login[..at];
        device = login[(at + 1)..];
        if (!IsValid(device))
        {
            error = $"invalid device name: 1 to {MaxLength} letters, digits, '-', '_' or '.'";
            return false;
        }
        return true;
    }

    /// <summary>The account part of a login name (the whole name when it names no device).</summary>
    public static string AccountOf(string login) => login.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? login[..at] : login;

    /// <summary>Letters, digits, '-', '_', '.'; no control characters, spaces or '@'.</summary>
    public static bool IsValid(string device) =>
        device.Length is > 0 and <= MaxLength && device.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
