using Sock.Chat;

namespace Sock.Tests.Chat;

public class ChatHubTests
{
    private sealed class RecordingMember(string protocol = "test") : ChatMember
    {
        public List<ChatEvent> Events { get; } = [];
        public string? DisconnectedFor { get; private set; }
        public override string Protocol => protocol;
        public override void Deliver(ChatEvent e) { lock (Events) Events.Add(e); }
        public override void Disconnect(string reason) => DisconnectedFor = reason;
    }

    private static ChatHub NewHub() => new(new ChatServerOptions { ServerName = "hub.test", HistoryLength = 3 });

    [Fact]
    public void AfterJoinsAndLeavesInAnyOrderARoomMessageReachesExactlyTheMembers()
    {
        var hub = NewHub();
        var members = Enumerable.Range(0, 50).Select(_ => new RecordingMember()).ToList();
        foreach (var m in members) { hub.ClaimGuestNick(m); Assert.Equal(ChatError.None, hub.Join(m, "#r", out _)); }
        var room = hub.FindRoom("#r")!;
        Assert.Equal(ChatError.None, hub.ChangeModes(members[0], "#r", [new ModeChange(true, 'v', members[47].Nick)]).Refused.Count == 0 ? ChatError.None : ChatError.NotRoomOperator);
        // Leave in a scrambled order: the first, the last, and others from the middle.
        var leaving = new[] { 0, 49, 7, 48, 25, 1, 30, 31, 12 }.Select(i => members[i]).ToList();
        foreach (var m in leaving.Take(leaving.Count - 1)) Assert.Equal(ChatError.None, hub.Part(m, "#r", "bye"));
        Assert.Equal(ChatError.None, hub.Join(members[0], "#r", out _)); // one comes back
        Assert.Equal(ChatError.None, hub.Part(leaving[^1], "#r", "bye"));
        var staying = members.Except(leaving).Append(members[0]).ToHashSet();

        Assert.Equal(staying.Count, room.Count);
        Assert.Equal(staying.OrderBy(m => m.Nick), room.Members.OrderBy(m => m.Nick));
        Assert.Equal(RoomStatus.None, room.StatusOf(members[0])); // rejoining does not restore operator
        Assert.Equal(RoomStatus.Voice, room.StatusOf(members[47])); // moved within the room as others left, status kept
        Assert.Equal(ChatError.None, hub.Say(members[2], "#r", "to all", ChatEventKind.Message, out _));
        foreach (var m in members)
        {
            var got = m.Events.Count(e => e.Kind == ChatEventKind.Message && e.Text == "to all");
            Assert.Equal(staying.Contains(m) ? 1 : 0, got);
        }
    }

    [Fact]
    public void EveryMemberSeesRoomMessagesInAcceptedOrder()
    {
        var hub = NewHub();
        var members = Enumerable.Range(0, 4).Select(_ => new RecordingMember()).ToList();
        foreach (var m in members) { hub.ClaimGuestNick(m); Assert.Equal(ChatError.None, hub.Join(m, "#r", out _)); }
        Parallel.For(0, 400, i => hub.Say(members[i % 4], "#r", $"m{i}", ChatEventKind.Message, out _));
        var orders = members.Select(m => m.Events.Where(e => e.Kind == ChatEventKind.Message).Select(e => e.Sequence).ToList()).ToList();
        Assert.All(orders, o => Assert.Equal(400, o.Count));
        Assert.All(orders, o => Assert.Equal(orders[0], o));
        Assert.Equal(orders[0].Order(), orders[0]);
    }

    [Fact]
    public void NicksAreUniqueCaseInsensitivelyAndValidated()
    {
        var hub = NewHub();
        var a = new RecordingMember();
        var b = new RecordingMember();
        Assert.Equal(ChatError.None, hub.ClaimNick(a, "Alice"));
        Assert.Equal(ChatError.NickInUse, hub.ClaimNick(b, "alice"));
        Assert.Equal(ChatError.ErroneousNick, hub.ClaimNick(b, "9lives"));
        Assert.Equal(ChatError.ErroneousNick, hub.ClaimNick(b, new string('x', 31)));
        Assert.Equal(ChatError.None, hub.ClaimNick(a, "alice"));
        Assert.Equal("alice", a.Nick);
        Assert.Same(a, hub.FindMember("ALICE"));
    }

    [Fact]
    public void FirstJoinerIsOperatorAndModerationAndKickAreEnforced()
    {
        var hub = NewHub();
        var op = new RecordingMember();
        var user = new RecordingMember();
        hub.ClaimNick(op, "op");
        hub.ClaimNick(user, "user");
        hub.Join(op, "#r", out var room);
        hub.Join(user, "#r", out _);
        Assert.Equal(RoomStatus.Operator, room!.StatusOf(op));
        Assert.Equal(ChatError.NotRoomOperator, hub.Kick(user, "#r", "op", "no"));
        Assert.Equal("+m", hub.ChangeModes(op, "#r", [new ModeChange(true, 'm', null)]).Applied);
        Assert.Equal(ChatError.CannotSendToRoom, hub.Say(user, "#r", "hi", ChatEventKind.Message, out _));
        Assert.Equal(ChatError.None, hub.Kick(op, "#r", "user", "bye"));
        Assert.DoesNotContain(user, room.Members);
        Assert.Contains(user.Events, e => e.Kind == ChatEventKind.Kick && e.Text == "user");
    }

    [Fact]
    public void HistoryKeepsTheLastNMessagesPerRoom()
    {
        var hub = NewHub();
        var m = new RecordingMember();
        hub.ClaimGuestNick(m);
        hub.Join(m, "#r", out _);
        for (var i = 0; i < 5; i++) hub.Say(m, "#r", $"m{i}", ChatEventKind.Message, out _);
        Assert.Equal(["m2", "m3", "m4"], hub.Recent("#r", 10).Select(e => e.Text));
        Assert.All(hub.Recent("#r", 10), e => Assert.True(e.IsReplay));
    }

    [Fact]
    public void QuitTellsEachPeerOnceAndFreesTheNick()
    {
        var hub = NewHub();
        var a = new RecordingMember();
        var b = new RecordingMember();
        hub.ClaimNick(a, "a");
        hub.ClaimNick(b, "b");
        foreach (var r in new[] { "#x", "#y" }) { hub.Join(a, r, out _); hub.Join(b, r, out _); }
        hub.Quit(a, "gone");
        Assert.Single(b.Events, e => e.Kind == ChatEventKind.Quit);
        Assert.Null(hub.FindMember("a"));
        Assert.Equal(ChatError.None, hub.ClaimNick(new RecordingMember(), "a"));
    }
}
