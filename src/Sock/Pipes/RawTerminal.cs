using Sock.Net.Native;

namespace Sock.Pipes;

/// <summary>
/// The local terminal in raw mode while a remote program owns the screen (socat's
/// <c>STDIO,raw,echo=0</c>): no line editing, no local echo, Ctrl-C and Ctrl-Z sent as bytes rather
/// than signals. Disposing puts the settings back as they were.
/// </summary>
public sealed unsafe class RawTerminal : IDisposable
{
    private readonly byte[] _saved = new byte[LibC.TermiosSize];
    private readonly int _fd;
    private bool _restored;

    private RawTerminal(int fd) => _fd = fd;

    /// <summary>Raw mode on <paramref name="fd"/> when it is a terminal; null when it is not (a pipe, a file).</summary>
    public static RawTerminal? Enter(int fd = 0)
    {
        if (OperatingSystem.IsWindows() || LibC.IsATty(fd) != 1) return null;
        var raw = new RawTerminal(fd);
        var mode = stackalloc byte[LibC.TermiosSize];
        fixed (byte* saved = raw._saved)
        {
            if (LibC.TcGetAttr(fd, saved) != 0) return null;
            new Span<byte>(saved, LibC.TermiosSize).CopyTo(new Span<byte>(mode, LibC.TermiosSize));
        }
        LibC.CfMakeRaw(mode);
        return LibC.TcSetAttr(fd, LibC.TCSANOW, mode) == 0 ? raw : null;
    }

    public void Dispose()
    {
        if (_restored) return;
        _restored = true;
        fixed (byte* saved = _saved) LibC.TcSetAttr(_fd, LibC.TCSANOW, saved);
    }
}
