using System.Text;
using Sock.Chat.Client;

namespace Sock.Cli.Chat;

/// <summary>How a chat event reads on screen: the same words in plain and terminal mode; colour and time only on a terminal.</summary>
internal static class ChatLineFormat
{
    private static readonly int[] NickColors = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

    /// <summary>A stable colour per nick (FNV-1a, not string.GetHashCode, which changes per run).</summary>
    public static int ColorOf(string nick)
    {
        var h = 2166136261u;
        foreach (var c in nick.ToLowerInvariant()) h = (h ^ c) * 16777619u;
        return NickColors[h % (uint)NickColors.Length];
    }

    public static string Format(ChatEvent e, string? activeRoom, bool color, bool time)
    {
        var sb = new StringBuilder();
        if (time) Paint(sb, color, "2", e.Time.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
        var nick = e.Nick ?? "";
        var isRoom = e.Target is { Length: > 0 } t && t[0] is '#' or '&' or '+' or '!';
        var roomTag = isRoom && !string.Equals(e.Target, activeRoom, StringComparison.OrdinalIgnoreCase) ? e.Target + " " : "";
        switch (e.Kind)
        {
            case ChatEventKind.Message when e.Own && !isRoom:
                sb.Append("-> ").Append(e.Target).Append(": ").Append(e.Text);
                break;
            case ChatEventKind.Message when isRoom:
                sb.Append(roomTag).Append('<');
                Paint(sb, color, ColorOf(nick).ToString(System.Globalization.CultureInfo.InvariantCulture), nick).Append("> ").Append(e.Text);
                break;
            case ChatEventKind.Message:
                sb.Append('*');
                Paint(sb, color, ColorOf(nick).ToString(System.Globalization.CultureInfo.InvariantCulture), nick).Append("* ").Append(e.Text);
                break;
            case ChatEventKind.Action:
                sb.Append(roomTag).Append("* ");
                Paint(sb, color, ColorOf(nick).ToString(System.Globalization.CultureInfo.InvariantCulture), nick).Append(' ').Append(e.Text);
                break;
            case ChatEventKind.Notice:
                sb.Append('-').Append(nick).Append("- ").Append(e.Text);
                break;
            case ChatEventKind.Error:
                Paint(sb, color, "31", "!! " + e.Text);
                break;
            case ChatEventKind.Transfer or ChatEventKind.Progress:
                Paint(sb, color, "35", "** " + e.Text);
                break;
            default:
                Paint(sb, color, "2", "-- " + e.Text);
                break;
        }
        return sb.ToString();
    }

    private static StringBuilder Paint(StringBuilder sb, bool color, string sgr, string text) =>
        color ? sb.Append("\e[").Append(sgr).Append('m').Append(text).Append("\e[0m") : sb.Append(text);
}
