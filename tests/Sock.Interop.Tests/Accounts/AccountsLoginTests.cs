using System.Text;
using Sock.Interop.Tests.Chat;
using Sock.Interop.Tests.Infrastructure;
using static Sock.Interop.Tests.Accounts.AccountsHarness;

namespace Sock.Interop.Tests.Accounts;

/// <summary>Registration and login from real peers: python3-irc, Perl's Authen::SCRAM, nc.</summary>
public class AccountsLoginTests
{
    [Fact]
    public async Task Python3IrcBotLogsInWithSaslPlain()
    {
        var python = Peers.DebianPython3;
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        await AddAsync(db, "pybot", "py-password");
        // python3-irc 8.5 has no SASL of its own: the bot negotiates it with the library's raw
        // commands and event handlers, as bots on it do. CAP REQ goes out with the connection so
        // registration waits for CAP END.
        var script = $$"""
import base64, time, irc.client, irc.connection
def factory(addr):
    sock = irc.connection.Factory()(addr)
    sock.send(b"CAP REQ :sasl\r\n")
    return sock
reactor = irc.client.IRC()
state = {}
def on_cap(conn, e):
    if e.arguments[0] == "ACK": conn.send_raw("AUTHENTICATE PLAIN")
def on_authenticate(conn, e):
    if e.target == "+":
        conn.send_raw("AUTHENTICATE " + base64.b64encode(b"pybot\0pybot\0py-password").decode())
def on_logged_in(conn, e):
    print("900", " ".join(e.arguments), flush=True)
def on_sasl_ok(conn, e):
    print("903", flush=True)
    conn.send_raw("CAP END")
def on_welcome(conn, e):
    state['welcome'] = True
    conn.whois(["pybot"])
def on_whois_account(conn, e):
    print("330", " ".join(e.arguments), flush=True)
    state['done'] = True
c = reactor.server().connect("127.0.0.1", {{server.Port}}, "pybot", connect_factory=factory)
c.add_global_handler("cap", on_cap)
c.add_global_handler("authenticate", on_authenticate)
c.add_global_handler("900", on_logged_in)
c.add_global_handler("903", on_sasl_ok)
c.add_global_handler("welcome", on_welcome)
c.add_global_handler("330", on_whois_account)
deadline = time.time() + 15
while time.time() < deadline and not state.get('done'):
    reactor.process_once(0.1)
c.quit("bye")
""";
        var output = await Run.PythonAsync(python, script);
        Assert.Contains("900 pybot!pybot@", output);
        Assert.Contains("You are now logged in as pybot", output);
        Assert.Contains("903\n", output);
        Assert.Contains("330 pybot pybot", output);
    }

    /// <summary>A second SCRAM-SHA-256 client besides WeeChat: Debian's libauthen-scram-perl (Authen::SCRAM::Client).</summary>
    [Fact]
    public async Task PerlAuthenScramLogsInWithScramSha256()
    {
        var perl = Peers.Require("perl", "perl");
        Peers.Require("/usr/share/perl5/Authen/SCRAM/Client.pm", "libauthen-scram-perl");
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        await AddAsync(db, "perly", "perl-pässword");
        var script = """
use strict; use warnings; use IO::Socket::INET; use MIME::Base64; use Authen::SCRAM::Client; use Encode;
my ($port, $password) = @ARGV;
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port) or die "connect: $!";
$s->autoflush(1);
my $scram = Authen::SCRAM::Client->new(username => "perly", password => decode("UTF-8", $password), digest => "SHA-256");
alarm 15;
print $s "CAP REQ :sasl\r\nNICK perly\r\nUSER perly 0 * :p\r\n";
while (my $line = <$s>) {
  $line =~ s/\r?\n$//;
  print "$line\n";
  if ($line =~ / CAP \S+ ACK /) { print $s "AUTHENTICATE SCRAM-SHA-256\r\n"; }
  elsif ($line eq "AUTHENTICATE +") { print $s "AUTHENTICATE " . encode_base64($scram->first_msg(), "") . "\r\n"; }
  elsif ($line =~ /^AUTHENTICATE (\S+)$/) {
    my $msg = decode_base64($1);
    if ($msg =~ /^v=/) { $scram->validate($msg) or die "server signature rejected"; print "VALIDATED\n"; print $s "AUTHENTICATE +\r\n"; }
    else { print $s "AUTHENTICATE " . encode_base64($scram->final_msg($msg), "") . "\r\n"; }
  }
  elsif ($line =~ / 90[34] /) { print $s "CAP END\r\n"; }
  elsif ($line =~ / 376 /) { print $s "QUIT\r\n"; }
}
""";
        var file = dir.File("scram.pl");
        await File.WriteAllTextAsync(file, script, TestContext.Current.CancellationToken);
        var (code, stdout, stderr) = await Run.Async(perl, file, server.Port.ToString(), "perl-pässword");
        Assert.True(code == 0, $"perl: {code} {stderr}\n{stdout}");
        Assert.Contains("VALIDATED", stdout);
        Assert.Contains(" 900 perly perly!perly@", stdout);
        Assert.Contains(" 903 perly :SASL authentication successful", stdout);

        // And the wrong password fails the same client library's exchange.
        var wrong = await Run.Async(perl, file, server.Port.ToString(), "perl-password");
        Assert.Contains(" 904 ", wrong.Stdout);
        Assert.DoesNotContain("VALIDATED", wrong.Stdout);
    }

    [Fact]
    public async Task PlainNcUserRegistersLogsOutAndLogsIn()
    {
        var nc = Peers.Nc;
        using var dir = new TempDir();
        await using var server = await ServeAsync(dir.File("chat.db"));
        await using var p = RunningProcess.Start(nc, ["-N", "127.0.0.1", server.Port.ToString()]);
        await p.WriteAsync("/nick ncuser\n");
        await p.WaitForStdoutAsync("you are now known as ncuser", TimeSpan.FromSeconds(10));
        await p.WriteAsync("/register nc-password\n");
        await p.WaitForStdoutAsync("Account created", TimeSpan.FromSeconds(10));
        await p.WaitForStdoutAsync("You're now logged in as ncuser", TimeSpan.FromSeconds(10));
        await p.WriteAsync("/logout\n");
        await p.WaitForStdoutAsync("You're now logged out", TimeSpan.FromSeconds(10));
        await p.WriteAsync("/login ncuser wrong-one\n");
        await p.WaitForStdoutAsync("Authentication failed: invalid account name or password", TimeSpan.FromSeconds(10));
        await p.WriteAsync("/login ncuser nc-password\n");
        await p.WaitForStdoutAsync("You're now logged in as ncuser", TimeSpan.FromSeconds(10));
        await p.WriteAsync("/msg NickServ INFO\n");
        await p.WaitForStdoutAsync("ncuser", TimeSpan.FromSeconds(10));
        // An IRC user sees the plain user's account in WHOIS.
        using var irc = await server.IrcAsync("watcher");
        await irc.SendAsync("WHOIS ncuser\r\n");
        Assert.Contains(" 330 watcher ncuser ncuser ", await irc.ExpectAsync(" 330 "));
    }

    [Theory]
    [InlineData("'; DROP TABLE accounts; --")]
    [InlineData("Robert'); DELETE FROM accounts WHERE ('1'='1")]
    [InlineData("🔑密码 שלום\u202e مرحبا")]
    [InlineData("tab\tbell\u0007esc\u001b del\u007f")]
    public async Task OddPasswordsAreStoredVerbatim(string password)
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        await AddAsync(db, "other", "other-pass");
        using var c = await server.ConnectAsync();
        // SASL PLAIN carries any bytes but NUL; the account is created through REGISTER's trailing parameter.
        await c.SendAsync($"CAP REQ :draft/account-registration\r\nNICK odd\r\nUSER odd 0 * :r\r\nCAP END\r\n");
        await c.ExpectAsync(" 376 ");
        await c.SendAsync(Encoding.UTF8.GetBytes($"REGISTER odd * :{password}\r\n"));
        Assert.Contains("REGISTER SUCCESS odd", await c.ExpectAsync("REGISTER"));

        using var again = await server.ConnectAsync();
        Assert.Contains(" 903 ", await SaslPlainAsync(server, again, "odd2", "odd", password));
        using var wrong = await server.ConnectAsync();
        Assert.Contains(" 904 ", await SaslPlainAsync(server, wrong, "odd3", "odd", password + "x"));
        // Nothing else was touched: the other account still logs in, and the CLI lists both.
        using var other = await server.ConnectAsync();
        Assert.Contains(" 903 ", await SaslPlainAsync(server, other, "other", "other", "other-pass"));
        var list = await SockAsync("", "chat", "accounts", "list", "--db", db);
        Assert.Equal(["odd", "other"], list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]));
    }

    [Theory]
    [InlineData("'; DROP TABLE accounts; --")]
    [InlineData("naïve")]
    [InlineData("🔑")]
    [InlineData("\u202eevil")]
    [InlineData("a\u0007b")]
    public async Task OddAccountNamesAreRefusedAndNothingIsExecuted(string name)
    {
        using var dir = new TempDir();
        var db = dir.File("chat.db");
        await using var server = await ServeAsync(db);
        await AddAsync(db, "keeper", "keeper-pass");
        var (code, _, stderr) = await SockAsync("a-password\n", "chat", "accounts", "add", name, "--db", db, "--iterations", Iterations);
        Assert.Equal(2, code);
        Assert.Contains("is not a valid account name", stderr);
        // Over SASL the name reaches the store as a parameter: no such account, and no harm.
        using var c = await server.ConnectAsync();
        Assert.Contains(" 904 ", await SaslPlainAsync(server, c, "probe", name, "a-password"));
        Assert.Equal(0, (await SockAsync("", "chat", "accounts", "drop", "keeper", "--db", db)).Code);
    }
}
