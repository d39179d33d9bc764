namespace Sock.Interop.Tests.Infrastructure;

/// <summary>
/// Finds the real peer programs. On a developer's machine a missing peer skips its test with
/// the reason; under CI (CI=true) it fails the test, because a silent skip would hide a gap.
/// </summary>
public static class Peers
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Full path of <paramref name="program"/> (a name on PATH or an absolute path), or skip/fail.</summary>
    public static string Require(string program, string package)
    {
        var path = Find(program);
        if (path is not null) return path;
        var reason = $"peer '{program}' is not installed (Debian package {package}; ./test.sh installs it)";
        if (InCi) Assert.Fail(reason);
        Assert.Skip(reason);
        return null!;
    }

    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program)) return File.Exists(program) ? program : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public static string Ncat => Require("ncat", "ncat");
    public static string Nc => Require("nc", "netcat-openbsd");
    public static string Socat => Require("socat", "socat");
    public static string Tmux => Require("tmux", "tmux");
    public static string Python3 => Require("python3", "python3");
    public static string Microsocks => Require("microsocks", "microsocks");
    public static string Danted => Require("/usr/sbin/danted", "dante-server");
    public static string Tinyproxy => Require("tinyproxy", "tinyproxy");
    public static string Openssl => Require("openssl", "openssl");
    public static string Iperf3 => Require("iperf3", "iperf3");
    public static string RedisServer => Require("redis-server", "redis-server");
    public static string RedisSentinel => Require("redis-sentinel", "redis-sentinel");
    public static string Ping => Require("/usr/bin/ping", "iputils-ping");
    public static string Nmap => Require("nmap", "nmap");

    /// <summary>Debian's interpreter, which is the one python3-irc is installed for.</summary>
    public static string DebianPython3 => Require("/usr/bin/python3", "python3");

    /// <summary>The repository root (where Sock.slnx is).</summary>
    public static string RepoDir
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Sock.slnx"))) return dir.FullName;
            throw new InvalidOperationException("repository root (Sock.slnx) not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The shared folder beside the repository: PRODUCT.md, seed/ with the article.</summary>
    public static string SharedDir => Path.GetFullPath(Path.Combine(RepoDir, "..", "shared"));
}
