using Sock.Net.Native;

namespace Sock.Net;

/// <summary>Names for the resolver's numeric codes (glibc values), for messages people can search for.</summary>
public static class ResolverCodes
{
    private static readonly Dictionary<int, string> EaiNames = new()
    {
        [-1] = "EAI_BADFLAGS",
        [-2] = "EAI_NONAME",
        [-3] = "EAI_AGAIN",
        [-4] = "EAI_FAIL",
        [-5] = "EAI_NODATA",
        [-6] = "EAI_FAMILY",
        [-7] = "EAI_SOCKTYPE",
        [-8] = "EAI_SERVICE",
        [-9] = "EAI_ADDRFAMILY",
        [-10] = "EAI_MEMORY",
        [-11] = "EAI_SYSTEM",
        [-12] = "EAI_OVERFLOW",
    };

    // hstrerror's texts, which Python's socket.herror carries.
    private static readonly Dictionary<int, (string Name, string Text)> HostErrors = new()
    {
        [1] = ("HOST_NOT_FOUND", "Unknown host"),
        [2] = ("TRY_AGAIN", "Host name lookup failure"),
        [3] = ("NO_RECOVERY", "Unknown server error"),
        [4] = ("NO_DATA", "No address associated with name"),
    };

    /// <summary>"EAI_NONAME" for -2.</summary>
    public static string EaiName(int code) => EaiNames.TryGetValue(code, out var n) ? n : $"EAI_{code}";

    /// <summary>gai_strerror's text, e.g. "Name or service not known".</summary>
    public static unsafe string EaiText(int code) => LibC.Str(LibC.GaiStrError(code));

    /// <summary>The exception for a failed getaddrinfo/getnameinfo on <paramref name="what"/>.</summary>
    public static ResolverException Eai(string what, int code) =>
        new($"{what}: {LowerFirst(EaiText(code))} ({EaiName(code)})", code, EaiName(code));

    /// <summary>The exception for a failed gethostbyname/gethostbyaddr (h_errno) on <paramref name="what"/>.</summary>
    public static ResolverException HostError(string what, int hErrno)
    {
        var (name, text) = HostErrors.TryGetValue(hErrno, out var d) ? d : ($"H_ERRNO_{hErrno}", $"resolver error {hErrno}");
        return new($"{what}: {LowerFirst(text)} ({name})", hErrno, name);
    }

    /// <summary>Python's herror text for h_errno (hstrerror).</summary>
    public static string HostErrorText(int hErrno) => HostErrors.TryGetValue(hErrno, out var d) ? d.Text : $"resolver error {hErrno}";

    internal static string LowerFirst(string s) =>
        s.Length > 1 && char.IsUpper(s[0]) && !char.IsUpper(s[1]) ? char.ToLowerInvariant(s[0]) + s[1..] : s;
}
