namespace Sock.Chat;

/// <summary>What an extended ban entry does when it matches.</summary>
public enum ExtBanEffect
{
    /// <summary>Like a plain mask: in +b it keeps the member out and quiet, in +e/+I it lets it in.</summary>
    Access,
    /// <summary>Only speaking: in +b the member may join but not speak; in +e it is excepted from such mutes.</summary>
    Mute,
}

/// <summary>
/// One extended ban type: <c>$letter:argument</c> in a +b/+e/+I list, matched against a member
/// by something other than its nick!user@host (the account), or with another effect (a mute).
/// </summary>
/// <param name="Letter">The type's letter after <see cref="ExtBans.Prefix"/>.</param>
/// <param name="Name">Its name, for documentation and logs.</param>
/// <param name="Effect">What a match does.</param>
/// <param name="IsAccount">It matches account names (ISUPPORT ACCOUNTEXTBAN lists it).</param>
/// <param name="Matches">The argument (after the colon) against a member.</param>
/// <param name="Normalize">Completes the argument as it is stored (a partial mask becomes nick!user@host).</param>
public sealed record ExtBan(char Letter, string Name, ExtBanEffect Effect, bool IsAccount, Func<string, ChatMember, bool> Matches, Func<string, string> Normalize);

/// <summary>
/// The extended bans the server enforces, as data: ISUPPORT EXTBAN and ACCOUNTEXTBAN come from this
/// table, so what is advertised is what is matched (as with <see cref="RoomMode"/>).
/// </summary>
public static class ExtBans
{
    /// <summary>What starts an extended ban (ISUPPORT EXTBAN's first field): <c>$a:account</c>, as charybdis and solanum.</summary>
    public const char Prefix = '$';

    public static readonly IReadOnlyList<ExtBan> All =
    [
        // $a:glob: logged in to a matching account (never an unauthenticated user, whatever its nick).
        new('a', "account", ExtBanEffect.Access, IsAccount: true,
            (arg, m) => m.Account is { } account && Masks.Match(arg, account), arg => arg),
        // $m:nick!user@host: may join and read, not speak (voice, operator status or a matching +e lift it).
        new('m', "mute", ExtBanEffect.Mute, IsAccount: false,
            (arg, m) => Masks.Match(arg, m.Prefix), Masks.Normalize),
    ];

    private static readonly Dictionary<char, ExtBan> ByLetter = All.ToDictionary(b => b.Letter);

    /// <summary>ISUPPORT EXTBAN: the prefix, a comma, the type letters (<c>$,am</c>).</summary>
    public static string IsupportValue => $"{Prefix},{new string([.. All.Select(b => b.Letter)])}";

    /// <summary>ISUPPORT ACCOUNTEXTBAN: the names an account extban goes by (here its letter).</summary>
    public static string AccountNames => string.Join(',', All.Where(b => b.IsAccount).Select(b => b.Letter));

    /// <summary>True when the mask is written as an extended ban (starts with the prefix), known or not.</summary>
    public static bool IsExtended(string mask) => mask.Length > 0 && mask[0] == Prefix;

    /// <summary>Splits <c>$a:bob</c> into its type and argument; false for a plain mask or an unknown/malformed type.</summary>
    public static bool TryParse(string mask, out ExtBan ban, out string argument)
    {
        ban = null!;
        argument = "";
        if (mask.Length < 4 || mask[0] != Prefix || mask[2] != ':' || !ByLetter.TryGetValue(mask[1], out var found)) return false;
        ban = found;
        argument = mask[3..];
        return true;
    }

    /// <summary>The mask as stored: a known extban with its argument completed; null for an unknown or empty extban.</summary>
    public static string? Normalize(string mask) =>
        TryParse(mask, out var ban, out var arg) && arg.Length > 0 ? $"{Prefix}{ban.Letter}:{ban.Normalize(arg)}" : null;
}
