using System.Diagnostics;
using System.Text;

namespace Sock.Interop.Tests.Infrastructure;

/// <summary>
/// A child process with its stdout and stderr collected as bytes in the background, stdin
/// writable, and a kill of the whole tree on dispose so no test leaves a peer behind.
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly object _gate = new();

    public string CommandLine { get; }

    private RunningProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
        _stdoutPump = Pump(process.StandardOutput.BaseStream, _stdout);
        _stderrPump = Pump(process.StandardError.BaseStream, _stderr);
    }

    public static RunningProcess Start(string fileName, IEnumerable<string> args, string? workingDirectory = null,
        IDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // Tests want byte-exact, uncoloured output from every program.
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["TERM"] = "dumb";
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        return new RunningProcess(process, fileName + " " + string.Join(' ', psi.ArgumentList));
    }

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public Stream StandardInput => _process.StandardInput.BaseStream;

    public byte[] StdoutBytes { get { lock (_gate) return _stdout.ToArray(); } }
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);
    public string Stderr { get { lock (_gate) return Encoding.UTF8.GetString(_stderr.ToArray()); } }

    public async Task WriteAsync(string text)
    {
        await StandardInput.WriteAsync(Encoding.UTF8.GetBytes(text));
        await StandardInput.FlushAsync();
    }

    public void CloseStdin() => _process.StandardInput.Close();

    /// <summary>Waits for exit (and for the output pipes to drain); fails the test on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"'{CommandLine}' did not exit within {timeout.TotalSeconds}s; stderr: {Stderr}");
        }
        return _process.ExitCode;
    }

    /// <summary>Polls until stdout contains <paramref name="text"/>; fails with what was seen on timeout.</summary>
    public Task WaitForStdoutAsync(string text, TimeSpan timeout) => WaitForAsync(() => Stdout, text, timeout, "stdout");

    public Task WaitForStderrAsync(string text, TimeSpan timeout) => WaitForAsync(() => Stderr, text, timeout, "stderr");

    private async Task WaitForAsync(Func<string> read, string text, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!read().Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"'{CommandLine}': '{text}' not seen on {what} within {timeout.TotalSeconds}s. stdout: {Stdout} stderr: {Stderr}");
            await Task.Delay(20);
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
    }

    /// <summary>Sends a signal by number (e.g. 9 for SIGKILL, 2 for SIGINT) to the process only.</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString()]);
        kill?.WaitForExit();
    }

    private async Task Pump(Stream source, MemoryStream sink)
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await source.ReadAsync(buffer)) > 0)
            lock (_gate) sink.Write(buffer, 0, n);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _process.Dispose();
    }
}
