using System.Text;
using Microsoft.AspNetCore.Http;
using Sock.Chat.Accounts;

namespace Sock.Web.Files;

/// <summary>
/// The logged-in user of a request is the server's account named by HTTP Basic credentials
/// (<c>curl -u NAME:PASSWORD</c>), checked by <see cref="AccountService"/> with its backoff. A
/// browser session (cookie or token from the web client's login) is still to come.
/// </summary>
public sealed class AccountPasswordIdentity(AccountService accounts) : IWebIdentity
{
    public string? AccountOf(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return null;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        return accounts.Authenticate(pair[..colon], pair[(colon + 1)..], address, out var account) == AccountResult.Ok ? account!.Name : null;
    }
}
