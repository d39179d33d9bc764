using System.Text;
using Sock.Chat.Client.Dcc;

namespace Sock.Fuzz;

/// <summary>
/// A CTCP DCC request body as DccManager.OnRequestAsync takes it: RESUME and ACCEPT go to
/// <see cref="DccResume.Parse"/>, everything else to <see cref="DccOffer.Parse"/>, each catching
/// FormatException as the manager does; an offer's name then meets <see cref="DccFileNames.Problem"/>.
/// A parsed offer or resume must format, and a port stays in 0-65535 and sizes non-negative.
/// </summary>
public static class DccHarness
{
    public static void Run(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input).Replace("\0", "", StringComparison.Ordinal);
        var verb = text.TrimStart().Split(' ', 2)[0].ToUpperInvariant();
        try
        {
            if (verb is "RESUME" or "ACCEPT")
            {
                var r = DccResume.Parse(text.TrimStart()[verb.Length..]);
                if (r.Port is < 0 or > 65535 || r.Position < 0) throw new FuzzFindingException($"resume with port {r.Port}, position {r.Position}");
                _ = r.Format(verb);
                _ = r.Names(r.Port, r.Token);
                return;
            }
            var offer = DccOffer.Parse("peer", text);
            if (offer.Port is < 0 or > 65535 || offer.Size < 0) throw new FuzzFindingException($"offer with port {offer.Port}, size {offer.Size}");
            _ = DccFileNames.Problem(offer.FileName);
            _ = DccOffer.Format(offer.FileName, offer.Address, offer.Port, offer.Size, offer.Token);
        }
        catch (FormatException) { }
    }
}
