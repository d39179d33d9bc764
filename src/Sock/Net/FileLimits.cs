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

    /// <summary>
    /// Does once, now, what would otherwise first need a file when descriptors have run out. A failed
    /// socket operation records its stack trace as text (ExceptionDispatchInfo.SetCurrentStackTrace),
    /// and the JIT build loads System.Diagnostics.StackTrace (and reads symbols) the first time it
    /// formats one: at the descriptor limit that load fails and the runtime aborts ("Out of memory.").
    /// A client resetting its connection while the server sits at its limit was enough. The native
    /// build keeps its stack-trace data in the binary; this costs it nothing.
    /// </summary>
    public static void PrepareForExhaustion()
    {
        try { System.Runtime.ExceptionServices.ExceptionDispatchInfo.SetCurrentStackTrace(new IOException("warm-up")); }
        catch (Exception) { } // only a warm-up: if it cannot run, the later one is no worse off
    }

    /// <summary>
    /// Descriptors a server keeps for itself below its limit: the runtime needs some at any moment
    /// (a new thread-pool thread, /proc reads, the stack-trace symbols of an exception), and when a
    /// client takes the last one the JIT build aborts ("Out of memory.") rather than fail one call.
    /// </summary>
    public const int Headroom = 32;

    /// <summary>Whether <paramref name="descriptor"/> (the newest, so near the highest in use: the
    /// kernel hands out the lowest free number) is inside the headroom under the soft limit.</summary>
    public static bool InHeadroom(long descriptor) =>
        Get() is { } l && l.Soft < int.MaxValue && descriptor >= (long)l.Soft - Headroom;

    /// <summary>The lowest free descriptor number now (opened and closed at once), or -1 if none could be opened.</summary>
    public static long LowestFree()
    {
        try
        {
            using var probe = File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
            return probe.DangerousGetHandle();
        }
        catch (IOException) { return -1; }
        catch (UnauthorizedAccessException) { return -1; }
    }
}
