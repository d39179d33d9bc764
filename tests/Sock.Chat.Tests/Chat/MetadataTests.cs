using Sock.Chat;

namespace Sock.Tests.Chat;

/// <summary>draft/metadata-3's hub side: the key/value table, its rules, who may change what and who is told.</summary>
public class MetadataTests
{
    private sealed class RecordingMember : ChatMember
    {
        public List<ChatEvent> Events { get; } = [];
        public override string Protocol => "test";
        public override void Deliver(ChatEvent e) { lock (Events) Events.Add(e); }
        public override void Disconnect(string reason) { }
        public List<ChatEvent> MetadataEvents() { lock (Events) return [.. Events.Where(e => e.Kind == ChatEventKind.Metadata)]; }
    }

    private static ChatHub NewHub(int maxKeys = 3, int maxValueBytes = 10) =>
        new(new ChatServerOptions { ServerName = "hub.test", MetadataMaxKeys = maxKeys, MetadataMaxValueBytes = maxValueBytes });

    private static RecordingMember Member(ChatHub hub, string nick)
    {
        var m = new RecordingMember();
        Assert.Equal(ChatError.None, hub.ClaimNick(m, nick));
        return m;
    }

    [Theory]
    [InlineData("display-name", true)]
    [InlineData("a.b/c_d-9", true)]
    [InlineData("Display-Name", false)] // lower case only: one spelling per key
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData(":colon", false)]
    [InlineData("$url$", false)]
    public void KeysAreLowerCaseLettersDigitsAndFourMarks(string key, bool valid) => Assert.Equal(valid, MetadataKeys.IsValidKey(key));

    [Fact]
    public void KeysLongerThanTheLimitAreRefused()
    {
        Assert.True(MetadataKeys.IsValidKey(new string('k', MetadataKeys.MaxKeyLength)));
        Assert.False(MetadataKeys.IsValidKey(new string('k', MetadataKeys.MaxKeyLength + 1)));
    }

    [Fact]
    public void ValuesAreLimitedInUtf8BytesNotCharacters()
    {
        var heart = "\U0001F49C"; // four bytes in UTF-8, two UTF-16 units
        Assert.True(MetadataKeys.IsValidValue(heart + heart, 8));
        Assert.False(MetadataKeys.IsValidValue(heart + heart + "x", 8));
        Assert.False(MetadataKeys.IsValidValue("", 8));
    }

    [Fact]
    public void TableKeepsSettingOrderReportsChangesAndStopsAtItsLimit()
    {
        var t = new MetadataTable();
        Assert.True(t.Set("b", "1", 2, out var changed));
        Assert.True(changed);
        Assert.True(t.Set("a", "2", 2, out _));
        Assert.False(t.Set("c", "3", 2, out changed)); // a third key is past the limit
        Assert.False(changed);
        Assert.True(t.Set("b", "1", 2, out changed)); // the same value again
        Assert.False(changed);
        Assert.True(t.Set("b", "9", 2, out changed)); // changing a key at the limit is fine
        Assert.True(changed);
        Assert.Equal(["b", "a"], t.Entries.Select(e => e.Key));
        Assert.True(t.Set("zz", null, 2, out changed)); // removing what is not there
        Assert.False(changed);
        Assert.True(t.Set("b", null, 2, out changed));
        Assert.True(changed);
        Assert.Null(t.Get("b"));
        Assert.Equal(["a"], t.Clear());
        Assert.Equal(0, t.Count);
    }

    [Fact]
    public void AMemberChangesOnlyItsOwnAndThoseSharingARoomAreTold()
    {
        var hub = NewHub();
        var (foo, bar, stranger) = (Member(hub, "foo"), Member(hub, "bar"), Member(hub, "stranger"));
        hub.Join(foo, "#r", out _);
        hub.Join(bar, "#r", out _);

        Assert.Equal(MetadataError.None, hub.SetMetadata(foo, new MetadataTarget(foo, null), "display-name", "Foo"));
        Assert.Equal(MetadataError.NoPermission, hub.SetMetadata(bar, new MetadataTarget(foo, null), "display-name", "Not Foo"));
        Assert.Null(hub.ClearMetadata(bar, new MetadataTarget(foo, null)));
        Assert.Equal("Foo", foo.Metadata.Get("display-name"));

        var told = Assert.Single(bar.MetadataEvents());
        Assert.Equal(("foo", "display-name", "Foo"), (told.Target, told.Text, told.Extra));
        Assert.Same(foo, told.Sender);
        Assert.Empty(stranger.MetadataEvents());

        Assert.Equal(MetadataError.None, hub.SetMetadata(foo, new MetadataTarget(foo, null), "display-name", null));
        Assert.Null(bar.MetadataEvents()[^1].Extra); // a removal
        Assert.Equal(MetadataError.None, hub.SetMetadata(foo, new MetadataTarget(foo, null), "display-name", null));
        Assert.Equal(2, bar.MetadataEvents().Count); // removing it again changed nothing, told nobody
    }

    [Fact]
    public void KeyValueAndLimitRulesApplyBeforeAnythingIsStored()
    {
        var hub = NewHub(maxKeys: 1, maxValueBytes: 4);
        var foo = Member(hub, "foo");
        var self = new MetadataTarget(foo, null);
        Assert.Equal(MetadataError.InvalidKey, hub.SetMetadata(foo, self, "Bad Key", "x"));
        Assert.Equal(MetadataError.InvalidValue, hub.SetMetadata(foo, self, "k", "12345"));
        Assert.Equal(MetadataError.None, hub.SetMetadata(foo, self, "k", "1234"));
        Assert.Equal(MetadataError.LimitReached, hub.SetMetadata(foo, self, "other", "1"));
        Assert.Equal([KeyValuePair.Create("k", "1234")], foo.Metadata.Entries);
    }

    [Fact]
    public void ARoomsMetadataIsChangedByItsOperatorsAndHiddenFromStrangersWhenClosed()
    {
        var hub = NewHub();
        var (op, member, stranger) = (Member(hub, "op"), Member(hub, "member"), Member(hub, "stranger"));
        hub.Join(op, "#r", out var room);
        hub.Join(member, "#r", out _);
        var target = hub.FindMetadataTarget("#R")!.Value;
        Assert.Same(room, target.Room);

        Assert.Equal(MetadataError.NoPermission, hub.SetMetadata(member, target, "url", "x"));
        Assert.Equal(MetadataError.None, hub.SetMetadata(op, target, "url", "x"));
        Assert.Equal("x", Assert.Single(member.MetadataEvents()).Extra);
        Assert.Empty(stranger.MetadataEvents());

        Assert.True(ChatHub.CanSeeMetadata(stranger, target)); // a room anyone may join and read
        hub.ChangeModes(op, "#r", [new ModeChange(true, 'i', null)]);
        Assert.False(ChatHub.CanSeeMetadata(stranger, target));
        Assert.True(ChatHub.CanSeeMetadata(member, target));

        Assert.Equal(["url"], hub.ClearMetadata(op, target));
        Assert.Null(member.MetadataEvents()[^1].Extra);
        Assert.Null(hub.FindMetadataTarget("#nowhere"));
        Assert.Null(hub.FindMetadataTarget("nobody"));
    }

    [Fact]
    public void BeforeRegistrationAMemberKeepsWhatItSetsAndNobodyIsTold()
    {
        var hub = NewHub();
        var early = new RecordingMember(); // not registered: no nick yet
        var other = Member(hub, "other");
        Assert.Equal(MetadataError.None, hub.SetMetadata(early, new MetadataTarget(early, null), "display-name", "Early"));
        Assert.Equal("Early", early.Metadata.Get("display-name"));
        Assert.Empty(other.MetadataEvents());
        Assert.Empty(early.Events);
    }
}
