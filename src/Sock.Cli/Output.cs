using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Sock.Cli;

/// <summary>Where results go: JSON for scripts, colour only when a person is watching.</summary>
internal static class Output
{
    /// <summary>True when the command being run has a <c>--json</c> option and it is set.</summary>
    public static bool JsonRequested(ParseResult parse)
    {
        var option = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--json") as Option<bool>;
        return option is not null && parse.GetValue(option);
    }

    /// <summary>Colour and cursor tricks only on a terminal, and never when NO_COLOR is set.</summary>
    public static bool UseColor(TextWriter writer) =>
        writer == Console.Error ? ColorAllowed && !Console.IsErrorRedirected : UseColorOnStdout;

    /// <summary><see cref="UseColor"/> for stdout, without touching <see cref="Console.Out"/> (see <see cref="WriteStdout"/>).</summary>
    public static bool UseColorOnStdout => ColorAllowed && !Console.IsOutputRedirected;

    private static bool ColorAllowed => string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    /// <summary>
    /// Writes text to file descriptor 1 directly. Any write through <see cref="Console"/> first sets up
    /// .NET's terminal and signal handling (a thread and a pipe: a tenth of a short command's start-up),
    /// which plain output does not need. A reader that has gone (`sock services | head -1`) ends the
    /// output quietly, as it does for Console; other errors (a full disk) are reported.
    /// </summary>
    public static void WriteStdout(string text)
    {
        using var stdout = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, 1);
        try
        {
            // A FileStream writes a regular file at its own position (pwrite), starting at 0: when
            // stdout is a file (`sock … > out.txt`), each call would overwrite the last. Start at its end.
            if (stdout.CanSeek) stdout.Seek(0, SeekOrigin.End);
            stdout.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
        catch (IOException e) when (e.HResult == EPIPE)
        {
        }
    }

    private const int EPIPE = 32;

    /// <summary>Exactly one JSON document on stdout, indented for people, newline-terminated.</summary>
    public static void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
            JsonSerializer.Serialize(writer, value, typeInfo);
        stdout.Write("\n"u8);
    }

    public static void WriteJsonError(string message)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }
}
