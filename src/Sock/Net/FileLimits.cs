using System.Runtime.InteropServices;
using Sock.Net.Native;

namespace Sock.Net;

/// <summary>The process's open-file limit (RLIMIT_NOFILE): each connection is one descriptor.</summary>
public static unsafe class FileLimits
{
    // RLIMIT_NOFILE is 7 on Linux and 8 on the BSDs and macOS.
    private static int Resource => OperatingSystem.IsLinux() ? 7 : 8;

    // macOS refuses a soft limit above OPEN_MAX when the hard limit is "unlimited".
    private const ulong MacOpenMax = 10240;

    /// <summary>Soft and hard limit, or null where there is none to read (Windows).</summary>
    public static (ulong Soft, ulong Hard)? Get()
    {
        if (OperatingSystem.IsWindows()) return null;
        RLimit l;
        return LibC.GetRLimit(Resource, &l) == 0 ? (l.Current, l.Maximum) : null;
    }

    /// <summary>
    /// Raises the soft limit to the hard one (what an unprivileged process may do): a server that
    /// holds one descriptor per client should not stop at the usual soft 1024. Returns the limits
    /// before and after, or null where there are none; on failure After is Before and Error says why.
    /// </summary>
    public static (ulong Before, ulong After, ulong Hard, string? Error)? RaiseToHard()
    {
        if (Get() is not { } now) return null;
        var target = now.Hard;
        if (OperatingSystem.IsMacOS() && target > int.MaxValue) target = MacOpenMax;
        if (target <= now.Soft) return (now.Soft, now.Soft, now.Hard, null);
        var l = new RLimit { Current = target, Maximum = now.Hard };
        if (LibC.SetRLimit(Resource, &l) != 0)
            return (now.Soft, now.Soft, now.Hard, new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError()).Message);
        return (now.Soft, target, now.Hard, null);
    }
}
