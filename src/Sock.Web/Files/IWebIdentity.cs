using Microsoft.AspNetCore.Http;

namespace Sock.Web.Files;

/// <summary>
/// Who is logged in, for a request. Accounts (SASL, NickServ, the web client's login) come with
/// their own work; until then the server has no accounts and nobody may upload.
/// </summary>
public interface IWebIdentity
{
    /// <summary>The account name of the request's user, or null when nobody is logged in.</summary>
    string? AccountOf(HttpContext context);
}

/// <summary>No accounts exist: every request is anonymous.</summary>
public sealed class NoAccounts : IWebIdentity
{
    public string? AccountOf(HttpContext context) => null;
}
