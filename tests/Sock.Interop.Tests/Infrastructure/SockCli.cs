namespace Sock.Interop.Tests.Infrastructure;

/// <summary>Runs the real `sock` command (the apphost built beside the tests) as a user would.</summary>
public static class SockCli
{
    public static string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "sock");

    public static RunningProcess Start(params string[] args) => RunningProcess.Start(Path, args);

    public static RunningProcess Start(IEnumerable<string> args, string? workingDirectory) =>
        RunningProcess.Start(Path, args, workingDirectory);

    /// <summary>Runs to completion with stdin closed; returns exit code, stdout, stderr.</summary>
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        await using var p = Start(args);
        p.CloseStdin();
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, p.Stdout, p.Stderr);
    }
}

/// <summary>Runs any program to completion (python3 oracles, peers' one-shot commands).</summary>
public static class Run
{
    public static async Task<(int Code, string Stdout, string Stderr)> Async(string program, params string[] args)
    {
        await using var p = RunningProcess.Start(program, args);
        p.CloseStdin();
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, p.Stdout, p.Stderr);
    }

    /// <summary>Runs a Python snippet with the given interpreter; returns stdout, failing the test on a non-zero exit.</summary>
    public static async Task<string> PythonAsync(string python, string code)
    {
        var (exit, stdout, stderr) = await Async(python, "-c", code);
        Assert.True(exit == 0, $"python failed ({exit}): {stderr}");
        return stdout;
    }
}
