using Sock.Transfer;

namespace Sock.Tests.Transfer;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PartFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sock-part-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(string name) => Path.Combine(_root, name);

    [Fact]
    public async Task Fresh_WritesToPart_CommitRenamesWithModeAndMtime()
    {
        var mtime = new DateTime(2021, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        using (var part = PartFile.Open(P("f.bin"), overwrite: false))
        {
            Assert.Equal(0, part.ExistingLength);
            Assert.Equal(P("f.bin.part"), part.PartPath);
            await part.WriteAsync("hello"u8.ToArray(), 0, TestContext.Current.CancellationToken);
            Assert.False(File.Exists(P("f.bin")));
            Assert.Equal(P("f.bin"), part.Commit(UnixFileMode.UserRead | UnixFileMode.UserWrite, mtime));
        }
        Assert.Equal("hello", File.ReadAllText(P("f.bin")));
        Assert.False(File.Exists(P("f.bin.part")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(P("f.bin")));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(P("f.bin")));
    }

    [Fact]
    public void ExistingPart_IsResumed_UnlessLongerThanExpectedOrResumeOff()
    {
        File.WriteAllText(P("f.bin.part"), "12345");
        using (var part = PartFile.Open(P("f.bin"), false, resume: true, expectedSize: 10))
            Assert.Equal(5, part.ExistingLength);
        using (var part = PartFile.Open(P("f.bin"), false, resume: true, expectedSize: 4))
            Assert.Equal(0, part.ExistingLength);
        File.WriteAllText(P("g.bin.part"), "12345");
        using (var part = PartFile.Open(P("g.bin"), false, resume: false))
            Assert.Equal(0, part.ExistingLength);
        Assert.Equal(0, new FileInfo(P("g.bin.part")).Length);
    }

    [Fact]
    public void Commit_WithoutOverwrite_NeverReplacesAFileThatAppearedMeanwhile()
    {
        using var part = PartFile.Open(P("f.txt"), overwrite: false);
        File.WriteAllText(P("f.txt"), "someone else's");
        Assert.Equal(P("f (1).txt"), part.Commit());
        Assert.Equal("someone else's", File.ReadAllText(P("f.txt")));
    }

    [Fact]
    public void Commit_WithOverwrite_Replaces()
    {
        File.WriteAllText(P("f.txt"), "old");
        var target = PartFile.ChooseTarget(P("f.txt"), overwrite: true);
        using var part = PartFile.Open(target, overwrite: true);
        Assert.Equal(P("f.txt"), part.Commit());
        Assert.Equal("", File.ReadAllText(P("f.txt")));
    }

    [Fact]
    public void ChooseTarget_SkipsExistingFinalNames_ButNotTheirParts()
    {
        File.WriteAllText(P("f.txt"), "done");
        File.WriteAllText(P("f (1).txt.part"), "half");
        var target = PartFile.ChooseTarget(P("f.txt"), overwrite: false);
        Assert.Equal(P("f (1).txt"), target);
        using var part = PartFile.Open(target, false);
        Assert.Equal(4, part.ExistingLength);
    }

    [Fact]
    public void Discard_RemovesThePart()
    {
        var part = PartFile.Open(P("f.bin"), false);
        part.Discard();
        Assert.False(File.Exists(P("f.bin.part")));
        Assert.False(File.Exists(P("f.bin")));
    }

    [Fact]
    public void SymlinkInPlaceOfThePart_IsRefused()
    {
        File.CreateSymbolicLink(P("f.bin.part"), "/etc/passwd");
        Assert.Throws<UnsafePathException>(() => PartFile.Open(P("f.bin"), false));
    }
}
