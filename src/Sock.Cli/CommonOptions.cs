using System.CommandLine;

namespace Sock.Cli;

/// <summary>Options several commands share, so they are spelled and described the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print exactly one JSON document on stdout" };

    /// <summary>Appends an "Examples:" block to a command's description so `--help` shows it.</summary>
    public static T WithExamples<T>(this T command, params string[] examples) where T : Command
    {
        command.Description += Environment.NewLine + Environment.NewLine + "Examples:" + Environment.NewLine
            + string.Join(Environment.NewLine, examples.Select(e => "  " + e));
        return command;
    }
}
