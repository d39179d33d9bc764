using System.Net;
using Sock.Chat.Client;
using Sock.Chat.Client.Dcc;

namespace Sock.Tests.ChatClient;

public sealed class DccOfferTests
{
    [Fact]
    public void A_classic_offer_has_the_ipv4_address_as_a_32_bit_integer()
    {
        var offer = DccOffer.Parse("ivy", "SEND photo.jpg 2130706433 5000 1234");
        Assert.Equal(("photo.jpg", IPAddress.Loopback, 5000, 1234L, (string?)null), (offer.FileName, offer.Address, offer.Port, offer.Size, offer.Token));
        Assert.Equal("DCC SEND photo.jpg 2130706433 5000 1234", DccOffer.Format("photo.jpg", IPAddress.Loopback, 5000, 1234));
    }

    [Fact]
    public void Quoted_names_ipv6_and_passive_tokens_parse()
    {
        Assert.Equal("my file.txt", DccOffer.Parse("a", "SEND \"my file.txt\" 2130706433 5000 3").FileName);
        Assert.Equal("DCC SEND \"my file.txt\" 2130706433 1 3", DccOffer.Format("my file.txt", IPAddress.Loopback, 1, 3));
        Assert.Equal(IPAddress.IPv6Loopback, DccOffer.Parse("a", "SEND f ::1 5000 3").Address);
        var passive = DccOffer.Parse("a", "SEND f 2130706433 0 3 42");
        Assert.True(passive.IsPassive);
        Assert.Equal("42", passive.Token);
        Assert.Equal("DCC SEND f 2130706433 0 3 42", DccOffer.Format("f", IPAddress.Loopback, 0, 3, "42"));
        // The answer to a passive offer: a real port, and the token echoed.
        var answer = DccOffer.Parse("a", "SEND f 2130706433 5000 3 42");
        Assert.Equal((5000, 3L, "42"), (answer.Port, answer.Size, answer.Token));
        Assert.Equal(("f", IPAddress.Parse("::1"), "42"), (DccOffer.Parse("a", "SEND f ::1 5000 3 42") is var v6 ? (v6.FileName, v6.Address, v6.Token) : default));
        // An unquoted name with spaces still parses when there is no token.
        var spaced = DccOffer.Parse("a", "SEND my 2 files 2130706433 5000 3");
        Assert.Equal(("my 2 files", 5000, (string?)null), (spaced.FileName, spaced.Port, spaced.Token));
    }

    [Theory]
    [InlineData("SEND f 2130706433 5000", "missing address, port or size")]
    [InlineData("SEND f 2130706433 99999 3", "bad port")]
    [InlineData("SEND f 2130706433 5000 -3", "bad size")]
    [InlineData("SEND f nowhere 5000 3", "bad address")]
    [InlineData("CHAT chat 2130706433 5000", "only SEND")]
    public void Bad_offers_say_why(string text, string why) =>
        Assert.Contains(why, Assert.Throws<FormatException>(() => DccOffer.Parse("a", text)).Message);

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\b")]
    [InlineData("..")]
    [InlineData("bad\u0007bell")]
    public void Names_with_paths_or_controls_are_refused(string name) => Assert.NotNull(DccFileNames.Problem(name));

    [Fact]
    public void A_plain_name_is_accepted() => Assert.Null(DccFileNames.Problem("report 2024.pdf"));

    [Theory]
    [InlineData("host", "host", 4323)]
    [InlineData("host:6667", "host", 6667)]
    [InlineData("[::1]:6697", "::1", 6697)]
    [InlineData("::1", "::1", 4323)]
    public void Endpoints_parse(string text, string host, int port) =>
        Assert.Equal((host, port), ChatClientOptions.ParseEndpoint(text));

    [Fact]
    public void Long_messages_are_split_between_characters_under_the_irc_line_limit()
    {
        var text = string.Concat(Enumerable.Repeat("你好", 300));
        var parts = IrcChatClient.SplitForIrc(text, "#lobby").ToList();
        Assert.True(parts.Count > 1);
        Assert.Equal(text, string.Concat(parts));
        Assert.All(parts, p => Assert.True(System.Text.Encoding.UTF8.GetByteCount(p) <= 400));
    }

    [Fact]
    public void Resume_and_accept_parse_direct_passive_and_quoted_names()
    {
        var direct = DccResume.Parse("f.bin 5000 1024");
        Assert.Equal(new DccResume("f.bin", 5000, 1024, null), direct);
        Assert.True(direct.Names(5000, null));
        Assert.False(direct.Names(5001, null));
        Assert.Equal("DCC ACCEPT f.bin 5000 1024", direct.Format("ACCEPT"));
        var passive = DccResume.Parse("f.bin 0 1024 42");
        Assert.Equal(new DccResume("f.bin", 0, 1024, "42"), passive);
        Assert.True(passive.Names(0, "42"));
        Assert.False(passive.Names(0, "43"));
        Assert.Equal("DCC RESUME f.bin 0 1024 42", passive.Format("RESUME"));
        var quoted = DccResume.Parse("\"my file.txt\" 5000 7");
        Assert.Equal(("my file.txt", 5000, 7L), (quoted.FileName, quoted.Port, quoted.Position));
        Assert.Equal("DCC RESUME \"my file.txt\" 5000 7", quoted.Format("RESUME"));
        // mIRC's placeholder name is only echoed; the port names the offer.
        Assert.True(DccResume.Parse("file.ext 5000 7").Names(5000, null));
    }

    [Theory]
    [InlineData("f.bin 5000", "missing")]
    [InlineData("f.bin 70000 5", "bad port")]
    [InlineData("f.bin 5000 -5", "bad position")]
    public void Bad_resume_requests_say_why(string text, string why) =>
        Assert.Contains(why, Assert.Throws<FormatException>(() => DccResume.Parse(text)).Message);
}
