using System.CommandLine;

namespace Sock.Cli.Commands;

/// <summary>
/// `sock completion SHELL` prints a script that asks sock itself for completions through
/// System.CommandLine's [suggest] directive, so completions always match the real command tree.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script.") { shell }
            .WithExamples("source <(sock completion bash)", "sock completion zsh > \"${fpath[1]}/_sock\"", "sock completion fish > ~/.config/fish/completions/sock.fish");
        command.SetHandler(parse =>
        {
            Console.Out.Write(parse.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Fish,
            });
            return CommandRunner.Ok;
        });
        return command;
    }

    private const string Bash = """
        _sock_complete() {
          local IFS=$'\n'
          COMPREPLY=( $(sock "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) )
        }
        complete -o default -F _sock_complete sock

        """;

    private const string Zsh = """
        #compdef sock
        _sock() {
          local -a items
          local line="${words[*]}"
          items=("${(@f)$(sock "[suggest:${#line}]" "$line" 2>/dev/null)}")
          compadd -a items
        }
        compdef _sock sock

        """;

    private const string Fish = """
        complete -c sock -f -a '(set -l line (commandline -cp); sock "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null)'

        """;
}
