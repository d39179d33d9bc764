using System.IO.Compression;
using System.Xml.Linq;
using Sock.Interop.Tests.Infrastructure;

namespace Sock.Interop.Tests.Packaging;

/// <summary>
/// `dotnet pack` of each library package, then what its .nuspec says it depends on: the toolbox and the
/// chat hub must not pull in SQLite or Redis (a program that wants Resolver gets no database driver).
/// Packs the already-built assemblies (--no-build), so it checks what the build produced.
/// </summary>
public sealed class PackageDependencyTests
{
    private static readonly string[] Storage = ["Microsoft.Data.Sqlite", "Microsoft.Data.Sqlite.Core", "SQLitePCLRaw.bundle_e_sqlite3", "StackExchange.Redis"];

    [Theory]
    [InlineData("Sock", new[] { "System.IO.Hashing" })]
    [InlineData("Sock.Chat", new[] { "Sock" })]
    [InlineData("Sock.Chat.Sqlite", new[] { "Sock.Chat", "Microsoft.Data.Sqlite" })]
    [InlineData("Sock.Chat.Redis", new[] { "Sock.Chat", "StackExchange.Redis" })]
    [InlineData("Sock.Chat.Client", new[] { "Sock.Chat" })]
    [InlineData("Sock.Web", new[] { "Sock.Chat" })]
    [InlineData("Sock.Wormhole", new[] { "Sock", "libsodium" })]
    public async Task EachPackageDependsOnExactlyWhatItsSeamNeeds(string project, string[] expected)
    {
        var dependencies = await PackAsync(project);
        Assert.Equal(expected.Order(StringComparer.Ordinal), dependencies.Order(StringComparer.Ordinal));
        if (project is "Sock" or "Sock.Chat" or "Sock.Chat.Client")
            Assert.DoesNotContain(dependencies, d => Storage.Contains(d, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Packs src/PROJECT and returns the package ids its nuspec depends on (every target framework).</summary>
    private static async Task<string[]> PackAsync(string project)
    {
        var output = Directory.CreateTempSubdirectory("sock-pack-");
        try
        {
            var config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var csproj = Path.Combine(Peers.RepoDir, "src", project, project + ".csproj");
            await using var pack = RunningProcess.Start("dotnet", ["pack", csproj, "--no-build", "-c", config, "-o", output.FullName, "-p:NuGetAudit=false"]);
            var code = await pack.WaitForExitAsync(TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"dotnet pack {project} exited {code}:\n{pack.Stdout}\n{pack.Stderr}");
            var nupkg = Assert.Single(output.GetFiles(project + ".*.nupkg"), f => !f.Name.EndsWith(".symbols.nupkg", StringComparison.Ordinal));
            using var zip = ZipFile.OpenRead(nupkg.FullName);
            var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
            await using var stream = entry.Open();
            var nuspec = await XDocument.LoadAsync(stream, LoadOptions.None, TestContext.Current.CancellationToken);
            return [.. nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
                .Select(e => (string)e.Attribute("id")!).Distinct(StringComparer.OrdinalIgnoreCase)];
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
