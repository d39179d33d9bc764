using System.Runtime.InteropServices;

namespace Sock.Net.Native;

/// <summary>struct rlimit: rlim_t is 64-bit on every 64-bit Unix .NET runs on (Linux, macOS, FreeBSD).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RLimit
{
    public ulong Current;
    public ulong Maximum;
}

internal static unsafe partial class LibC
{
    [LibraryImport(Lib, EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, RLimit* limit);

    [LibraryImport(Lib, EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, RLimit* limit);
}
