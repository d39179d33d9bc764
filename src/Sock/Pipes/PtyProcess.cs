using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sock.Net.Native;

namespace Sock.Pipes;

/// <summary>
/// A program on a pseudo-terminal, as socat's <c>EXEC:…,pty,setsid,ctty</c>: openpty, then
/// posix_spawn with POSIX_SPAWN_SETSID, the pty's slave opened as fd 0 (which makes it the new
/// session's controlling terminal) and duplicated to 1 and 2; every signal back to its default
/// (the runtime ignores SIGPIPE, and ignored signals survive exec). No fork in managed code.
/// </summary>
public sealed class PtyProcess : IDisposable
{
    private readonly SafeFileHandle _master;
    private int _exitStatus = -1;

    public int Pid { get; }

    /// <summary>The terminal's device, /dev/pts/N.</summary>
    public string TtyName { get; }

    /// <summary>What the program writes to its terminal. Ends (EIO, taken as EOF) when no one holds the terminal open.</summary>
    public Stream Output { get; }

    /// <summary>What the program reads from its terminal: keys.</summary>
    public Stream Input { get; }

    private PtyProcess(int pid, SafeFileHandle master, string ttyName)
    {
        Pid = pid;
        _master = master;
        TtyName = ttyName;
        // Two streams over the one descriptor, so a blocked read never holds up a write.
        Output = new FileStream(master, FileAccess.Read, bufferSize: 0);
        Input = new FileStream(new SafeFileHandle(master.DangerousGetHandle(), ownsHandle: false), FileAccess.Write, bufferSize: 0);
    }

    /// <summary>Starts <paramref name="command"/> on a new terminal of <paramref name="rows"/>×<paramref name="columns"/>.</summary>
    /// <exception cref="SockException">No pty could be made or the program could not start.</exception>
    public static unsafe PtyProcess Start(ExecCommand command, IReadOnlyDictionary<string, string> environment, int rows = 24, int columns = 80)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(environment);
        if (!OperatingSystem.IsLinux()) throw new SockException("--pty: pseudo-terminals are supported on Linux only");
        int master, slave;
        var size = new WinSize { Rows = (ushort)rows, Cols = (ushort)columns };
        if (LibC.OpenPty(&master, &slave, null, null, &size) != 0)
            throw new SockException($"--pty: openpty: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
        var nameBuffer = stackalloc byte[256];
        if (LibC.PtsNameR(master, nameBuffer, 256) != 0)
        {
            _ = LibC.Close(master);
            _ = LibC.Close(slave);
            throw new SockException("--pty: ptsname failed");
        }
        var ttyName = LibC.Str(nameBuffer);
        // Neither end may leak into the program (or into later programs): it opens the slave by name.
        _ = LibC.Fcntl(master, LibC.F_SETFD, LibC.FD_CLOEXEC);
        _ = LibC.Close(slave);
        var pid = Spawn(command, environment, nameBuffer);
        if (pid < 0)
        {
            _ = LibC.Close(master);
            throw new SockException($"--pty: cannot run {command.FileName}: {new Win32Exception(-pid).Message}");
        }
        return new PtyProcess(pid, new SafeFileHandle(master, ownsHandle: true), ttyName);
    }

    private static unsafe int Spawn(ExecCommand command, IReadOnlyDictionary<string, string> environment, byte* tty)
    {
        var actions = stackalloc byte[LibC.FileActionsSize];
        var attr = stackalloc byte[LibC.SpawnAttrSize];
        var all = stackalloc byte[LibC.SigSetSize];
        var none = stackalloc byte[LibC.SigSetSize];
        var strings = new List<nint>();
        nint Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            strings.Add(p);
            return p;
        }
        try
        {
            _ = LibC.SpawnFileActionsInit(actions);
            _ = LibC.SpawnFileActionsAddOpen(actions, 0, tty, LibC.O_RDWR, 0);
            _ = LibC.SpawnFileActionsAddDup2(actions, 0, 1);
            _ = LibC.SpawnFileActionsAddDup2(actions, 0, 2);
            _ = LibC.SpawnAttrInit(attr);
            _ = LibC.SigFillSet(all);
            _ = LibC.SigEmptySet(none);
            _ = LibC.SpawnAttrSetSigDefault(attr, all);
            _ = LibC.SpawnAttrSetSigMask(attr, none);
            _ = LibC.SpawnAttrSetFlags(attr, (short)(LibC.POSIX_SPAWN_SETSID | LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETSIGMASK));
            var path = ResolvePath(command.FileName);
            var argv = new nint[command.Arguments.Count + 2];
            argv[0] = Utf8(command.FileName);
            for (var i = 0; i < command.Arguments.Count; i++) argv[i + 1] = Utf8(command.Arguments[i]);
            var envp = environment.Select(kv => Utf8($"{kv.Key}={kv.Value}")).Append(0).ToArray();
            int pid;
            fixed (nint* a = argv)
            fixed (nint* e = envp)
            {
                var error = LibC.PosixSpawn(&pid, (byte*)Utf8(path), actions, attr, (byte**)a, (byte**)e);
                return error == 0 ? pid : -error;
            }
        }
        finally
        {
            _ = LibC.SpawnFileActionsDestroy(actions);
            _ = LibC.SpawnAttrDestroy(attr);
            foreach (var p in strings) Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>posix_spawn takes a path: a bare name is looked up on PATH as exec would.</summary>
    private static string ResolvePath(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal)) return name;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return name; // posix_spawn reports ENOENT
    }

    /// <summary>The exit code once the program has ended (128+signal when a signal ended it), else null. Reaps it.</summary>
    public unsafe int? TryGetExitCode()
    {
        if (_exitStatus >= 0) return Decode(_exitStatus);
        int status;
        var r = LibC.WaitPid(Pid, &status, LibC.WNOHANG);
        if (r != Pid) return null;
        _exitStatus = status;
        return Decode(status);
    }

    private static int Decode(int status) => (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);

    /// <summary>Waits (polling, the runtime does not reap what it did not start) until the program ends or the time is up.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (TryGetExitCode() is { } code) return code;
            if (DateTime.UtcNow >= deadline) return null;
            await Task.Delay(20);
        }
    }

    /// <summary>Sends a signal to the program's whole session (its process group: job control's jobs too).</summary>
    public void Signal(int signal)
    {
        if (_exitStatus >= 0) return;
        _ = LibC.Kill(-Pid, signal);
        _ = LibC.Kill(Pid, signal);
    }

    public void Dispose()
    {
        Input.Dispose();
        Output.Dispose();
        if (TryGetExitCode() is null)
        {
            Signal(LibC.SIGKILL);
            _ = WaitForExitAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        }
    }

    /// <summary>SIGHUP, what closing a terminal sends.</summary>
    public void HangUp() => Signal(LibC.SIGHUP);
}
