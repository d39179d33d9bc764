using Sock.Transfer;

namespace Sock.Fuzz;

/// <summary>
/// Both ends of the transfer wire format (docs/transfer-protocol.md) against a peer whose bytes
/// are the input. The receiver writes into an output directory inside a sandbox of its own; a
/// manifest name that lands anything beside that directory is a finding, whatever was thrown.
/// SockException (which the receiver turns every I/O error into) is its expected failure; the
/// sender may also end in an IOException, which the CLI reports as a failure too.
/// </summary>
public static class TransferHarness
{
    private static readonly string Sandbox = Path.Combine(Path.GetTempPath(), $"sock-fuzz-{Environment.ProcessId}");
    private static readonly Lazy<List<ManifestEntry>> Source = new(MakeSource);

    public static void Receive(byte[] input)
    {
        // Whatever an earlier input left (after a finding) goes first: every run starts alike.
        foreach (var p in Beside(includeOutput: true)) Delete(p);
        var output = Path.Combine(Sandbox, "out");
        Directory.CreateDirectory(output);
        try
        {
            TransferReceiver.ReceiveAsync(new FuzzStream(input, chunk: 4096), new ReceiveOptions(output), null, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (SockException) { }
        var beside = Beside(includeOutput: false);
        if (beside.Count > 0) throw new FuzzFindingException($"the receiver wrote outside its output directory: {string.Join(", ", beside)}");
    }

    private static List<string> Beside(bool includeOutput) =>
        !Directory.Exists(Sandbox) ? [] :
        [.. Directory.GetFileSystemEntries(Sandbox).Where(p => Path.GetFileName(p) != "src" && (includeOutput || Path.GetFileName(p) != "out"))];

    public static void Send(byte[] input)
    {
        try
        {
            TransferSender.SendAsync(new FuzzStream(input, chunk: 4096), Source.Value, new SendOptions(), null, CancellationToken.None)
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SockException or IOException) { }
    }

    /// <summary>What the sender offers: a directory with a small file, and an empty file.</summary>
    private static List<ManifestEntry> MakeSource()
    {
        var src = Path.Combine(Sandbox, "src");
        Directory.CreateDirectory(Path.Combine(src, "d"));
        File.WriteAllText(Path.Combine(src, "d", "a.txt"), "hello");
        File.WriteAllBytes(Path.Combine(src, "b"), []);
        return Manifest.FromPaths([Path.Combine(src, "d"), Path.Combine(src, "b")]);
    }

    private static void Delete(string path)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null) Directory.Delete(path, recursive: true);
        else File.Delete(path);
    }
}
