using Sock.Chat;

namespace Sock.Tests.Chat;

/// <summary>Extended bans ($a:account, $m:mask), +C and RENAME as the hub enforces them.</summary>
public class ExtBanTests
{
    private sealed class RecordingMember : ChatMember
    {
        public List<ChatEvent> Events { get; } = [];
        public override string Protocol => "test";
        public override void Deliver(ChatEvent e) { lock (Events) Events.Add(e); }
        public override void Disconnect(string reason) { }
    }

    private static ChatHub NewHub() => new(new ChatServerOptions { ServerName = "hub.test" });

    private static RecordingMember Member(ChatHub hub, string nick, string? account = null)
    {
        var m = new RecordingMember { Account = account };
        Assert.Equal(ChatError.None, hub.ClaimNick(m, nick));
        return m;
    }

    private static void Mode(ChatHub hub, ChatMember by, bool on, char mode, string? arg = null) =>
        Assert.Empty(hub.ChangeModes(by, "#r", [new ModeChange(on, mode, arg)]).Refused);

    [Fact]
    public void IsupportComesFromTheTable()
    {
        Assert.Equal("$,am", ExtBans.IsupportValue);
        Assert.Equal("a", ExtBans.AccountNames);
    }

    [Theory]
    [InlineData("$a:bob", "$a:bob")]
    [InlineData("$m:bar", "$m:bar!*@*")] // a mute's mask is completed like a plain one
    [InlineData("$m:*!*evan@*", "$m:*!*evan@*")]
    [InlineData("$z:what", null)] // unknown type
    [InlineData("$a:", null)] // no argument
    [InlineData("$a", null)]
    [InlineData("$ab:c", null)]
    public void ExtendedMasksAreParsedAndCompleted(string mask, string? stored) => Assert.Equal(stored, ExtBans.Normalize(mask));

    [Fact]
    public void AnAccountBanKeepsOutThatAccountAndNoNickOfTheSameName()
    {
        var hub = NewHub();
        var op = Member(hub, "op");
        hub.Join(op, "#r", out _);
        Mode(hub, op, true, 'b', "$a:Bob");
        Assert.Equal(ChatError.BannedFromRoom, hub.Join(Member(hub, "someone", account: "bob"), "#r", out _));
        Assert.Equal(ChatError.None, hub.Join(Member(hub, "bob"), "#r", out _)); // not logged in: a nick is not an account
        Assert.Equal(ChatError.InvalidModeParameter, Assert.Single(hub.ChangeModes(op, "#r", [new ModeChange(true, 'b', "$q:x")]).Refused).Error);
    }

    [Fact]
    public void AnAccountExceptionLetsThatAccountPastABanAndInviteOnly()
    {
        var hub = NewHub();
        var op = Member(hub, "op");
        hub.Join(op, "#r", out _);
        Mode(hub, op, true, 'b', "*!*@*");
        Mode(hub, op, true, 'e', "$a:bob");
        Assert.Equal(ChatError.None, hub.Join(Member(hub, "b1", account: "bob"), "#r", out _));
        Assert.Equal(ChatError.BannedFromRoom, hub.Join(Member(hub, "b2", account: "carol"), "#r", out _));
        Mode(hub, op, false, 'b', "*!*@*");
        Mode(hub, op, true, 'i');
        Mode(hub, op, true, 'I', "$a:carol");
        Assert.Equal(ChatError.None, hub.Join(Member(hub, "c1", account: "carol"), "#r", out _));
        Assert.Equal(ChatError.InviteOnlyRoom, hub.Join(Member(hub, "d1", account: "dave"), "#r", out _));
    }

    [Fact]
    public void AMuteLetsAMemberInButNotSpeakUntilVoicedExceptedOrLifted()
    {
        var hub = NewHub();
        var op = Member(hub, "op");
        var bar = Member(hub, "Bar");
        hub.Join(op, "#r", out _);
        Mode(hub, op, true, 'b', "$m:bar"); // stored as $m:bar!*@*; matches without regard to case
        Assert.Equal(ChatError.None, hub.Join(bar, "#r", out _));
        Assert.Equal(ChatError.CannotSendToRoom, hub.Say(bar, "#r", "hi", ChatEventKind.Message, out _));
        Mode(hub, op, true, 'v', "Bar");
        Assert.Equal(ChatError.None, hub.Say(bar, "#r", "hi", ChatEventKind.Message, out _));
        Mode(hub, op, false, 'v', "Bar");
        Mode(hub, op, true, 'e', "$m:*!user@*");
        Assert.Equal(ChatError.None, hub.Say(bar, "#r", "hi", ChatEventKind.Message, out _));
        Mode(hub, op, false, 'e', "$m:*!user@*");
        Assert.Equal(ChatError.CannotSendToRoom, hub.Say(bar, "#r", "hi", ChatEventKind.Message, out _));
        Mode(hub, op, false, 'b', "$m:BAR!*@*"); // removed whatever the case it was set in
        Assert.Equal(ChatError.None, hub.Say(bar, "#r", "hi", ChatEventKind.Message, out _));
    }

    [Fact]
    public void NoCtcpRefusesCtcpButNotActions()
    {
        var hub = NewHub();
        var op = Member(hub, "op");
        var user = Member(hub, "user");
        hub.Join(op, "#r", out _);
        hub.Join(user, "#r", out _);
        Assert.Equal(ChatError.None, hub.Say(user, "#r", "\u0001PING 1\u0001", ChatEventKind.Message, out _));
        Mode(hub, op, true, 'C');
        Assert.Equal(ChatError.CannotSendToRoom, hub.Say(user, "#r", "\u0001PING 1\u0001", ChatEventKind.Message, out _));
        Assert.Equal(ChatError.CannotSendToRoom, hub.Say(op, "#r", "\u0001VERSION\u0001", ChatEventKind.Notice, out _));
        Assert.Equal(ChatError.None, hub.Say(user, "#r", "is testing", ChatEventKind.Action, out _));
        Assert.Equal(ChatError.None, hub.Say(user, "#r", "plain", ChatEventKind.Message, out _));
        Assert.Contains("C", hub.FindRoom("#r")!.ModeString(showKey: false), StringComparison.Ordinal);
    }

    [Fact]
    public void ARenamedRoomKeepsItsMembersAndModesAndFreesTheOldName()
    {
        var hub = NewHub();
        var op = Member(hub, "op");
        var user = Member(hub, "user");
        hub.Join(op, "#r", out var room);
        hub.Join(user, "#r", out _);
        Mode(hub, op, true, 'm');
        hub.Join(op, "#taken", out _);
        Assert.Equal(ChatError.None, hub.Say(op, "#r", "before", ChatEventKind.Message, out _));

        Assert.Equal(ChatError.NotRoomOperator, hub.RenameRoom(user, "#r", "#new", ""));
        Assert.Equal(ChatError.RoomExists, hub.RenameRoom(op, "#r", "#taken", ""));
        Assert.Equal(ChatError.BadRoomName, hub.RenameRoom(op, "#r", "nohash", ""));
        Assert.Equal(ChatError.None, hub.RenameRoom(op, "#r", "#new", "why"));

        Assert.Same(room, hub.FindRoom("#new"));
        Assert.Null(hub.FindRoom("#r"));
        Assert.Equal("#new", room!.Name);
        Assert.True(room.Moderated);
        Assert.Contains("#new", user.Rooms);
        Assert.DoesNotContain("#r", user.Rooms);
        var told = user.Events.Single(e => e.Kind == ChatEventKind.Rename);
        Assert.Equal(("#r", "#new", "why"), (told.Target, told.Text, told.Extra));

        var moved = Assert.Single(hub.Recent("#new", 10)); // the history went with the room
        Assert.Equal(("before", "#new"), (moved.Text, moved.Target));
        Assert.Empty(hub.Recent("#r", 10));

        var late = Member(hub, "late");
        Assert.Equal(ChatError.None, hub.Join(late, "#r", out var fresh)); // the old name is a new, empty room
        Assert.NotSame(room, fresh);
        Assert.Equal(RoomStatus.Operator, fresh!.StatusOf(late));
    }
}
