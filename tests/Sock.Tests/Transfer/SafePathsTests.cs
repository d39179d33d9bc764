using Sock.Transfer;

namespace Sock.Tests.Transfer;

public sealed class SafePathsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sock-safepaths-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("file.txt")]
    [InlineData("dir/sub/file.txt")]
    [InlineData("中文文件名.txt")]
    [InlineData("..hidden")]
    [InlineData("a..b")]
    [InlineData("CONSOLE.txt")]
    public void Resolve_AcceptsOrdinaryNames_InsideTheOutputDir(string name)
    {
        var full = SafePaths.Resolve(_root, name);
        Assert.StartsWith(_root + "/", full);
        Assert.Equal(Path.Combine(_root, name), full);
    }

    [Theory]
    [InlineData("", "empty name")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("C:/x", "absolute path")]
    [InlineData("..", "'..' component")]
    [InlineData("../x", "'..' component")]
    [InlineData("a/../../x", "'..' component")]
    [InlineData("./x", "'.' component")]
    [InlineData("a//b", "empty path component")]
    [InlineData("a/", "empty path component")]
    [InlineData("a\0b", "NUL character")]
    [InlineData("a\\..\\b", "backslash")]
    [InlineData("a\u2215b", "look-alike")]
    [InlineData("a\nb", "control character")]
    [InlineData("CON", "device name")]
    [InlineData("dir/lpt1.txt", "device name")]
    [InlineData("nul", "device name")]
    public void Validate_RefusesUnsafeNames_WithTheReason(string name, string reason)
    {
        var e = Assert.Throws<UnsafePathException>(() => SafePaths.Resolve(_root, name));
        Assert.Contains(reason, e.Message);
        Assert.StartsWith("refused unsafe path", e.Message);
        Assert.DoesNotContain('\0', e.Message);
    }

    [Fact]
    public void Resolve_RefusesPathsThroughASymlinkLeadingOutside_AllowsOneStayingInside()
    {
        var outside = Directory.CreateTempSubdirectory("sock-outside-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(_root, "real"));
            File.CreateSymbolicLink(Path.Combine(_root, "out-link"), outside);
            File.CreateSymbolicLink(Path.Combine(_root, "in-link"), Path.Combine(_root, "real"));
            File.CreateSymbolicLink(Path.Combine(_root, "file-link"), "/etc/passwd");

            Assert.Contains("symlink", Assert.Throws<UnsafePathException>(() => SafePaths.Resolve(_root, "out-link/x")).Message);
            Assert.Throws<UnsafePathException>(() => SafePaths.Resolve(_root, "file-link"));
            Assert.Equal(Path.Combine(_root, "in-link", "x"), SafePaths.Resolve(_root, "in-link/x"));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Resolve_WorksWhenTheOutputDirItselfIsASymlink()
    {
        var real = Path.Combine(_root, "real");
        Directory.CreateDirectory(real);
        var link = Path.Combine(_root, "link");
        File.CreateSymbolicLink(link, real);
        Assert.Equal(Path.Combine(link, "f.txt"), SafePaths.Resolve(link, "f.txt"));
    }

    [Fact]
    public void ChooseFreeName_NumbersBeforeTheExtension()
    {
        var path = Path.Combine(_root, "report.tar.gz");
        Assert.Equal(path, SafePaths.ChooseFreeName(path));
        File.WriteAllText(path, "");
        Assert.Equal(Path.Combine(_root, "report.tar (1).gz"), SafePaths.ChooseFreeName(path));
        File.WriteAllText(Path.Combine(_root, "report.tar (1).gz"), "");
        Assert.Equal(Path.Combine(_root, "report.tar (2).gz"), SafePaths.ChooseFreeName(path));
        var noExt = Path.Combine(_root, "README");
        File.WriteAllText(noExt, "");
        Assert.Equal(Path.Combine(_root, "README (1)"), SafePaths.ChooseFreeName(noExt));
        var dotFile = Path.Combine(_root, ".bashrc");
        File.WriteAllText(dotFile, "");
        Assert.Equal(Path.Combine(_root, ".bashrc (1)"), SafePaths.ChooseFreeName(dotFile));
    }
}
