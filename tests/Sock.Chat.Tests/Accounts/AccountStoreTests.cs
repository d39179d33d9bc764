using Microsoft.Data.Sqlite;
using Sock.Chat.Accounts;

namespace Sock.Tests.Accounts;

/// <summary>The same contract for both stores: each test runs against memory and against a SQLite file.</summary>
public sealed class AccountStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sock-accounts-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Stores => ["memory", "sqlite"];

    private IAccountStore Open(string kind) => kind == "memory" ? new MemoryAccountStore() : SqliteAccountStore.Open(Path.Combine(_dir, "a.db"));

    private static Account NewAccount(string name, string password = "secret1") =>
        new(name, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), PasswordVerifier.Create(password, PasswordVerifier.MinimumIterations), []);

    [Theory, MemberData(nameof(Stores))]
    public void CreateFindUpdateDrop(string kind)
    {
        using var store = Open(kind);
        Assert.True(store.TryCreate(NewAccount("Alice")));
        Assert.False(store.TryCreate(NewAccount("alice")));
        var found = store.Find("ALICE");
        Assert.NotNull(found);
        Assert.Equal("Alice", found.Name);
        Assert.True(found.Verifier.Verify("secret1"));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), found.Created);

        Assert.True(store.Update(found with { Verifier = PasswordVerifier.Create("other22", PasswordVerifier.MinimumIterations), Verified = false, Email = "a@b.c" }));
        var changed = store.Find("alice")!;
        Assert.True(changed.Verifier.Verify("other22"));
        Assert.False(changed.Verified);
        Assert.Equal("a@b.c", changed.Email);
        Assert.False(store.Update(NewAccount("nobody")));

        Assert.True(store.Drop("alice"));
        Assert.False(store.Drop("alice"));
        Assert.Null(store.Find("Alice"));
    }

    [Theory, MemberData(nameof(Stores))]
    public void AllIsSortedWithoutCase(string kind)
    {
        using var store = Open(kind);
        foreach (var n in new[] { "carol", "Bob", "alice" }) store.TryCreate(NewAccount(n));
        Assert.Equal(["alice", "Bob", "carol"], store.All().Select(a => a.Name));
    }

    [Theory, MemberData(nameof(Stores))]
    public void CertificatesFindTheirAccountAndGoWithIt(string kind)
    {
        using var store = Open(kind);
        var fp = new string('a', 64);
        store.TryCreate(NewAccount("alice") with { Certificates = [fp] });
        Assert.Equal("alice", store.FindByCertificate(fp)?.Name);
        Assert.Equal([fp], store.Find("alice")!.Certificates);
        store.Drop("alice");
        Assert.Null(store.FindByCertificate(fp));
    }

    [Theory, MemberData(nameof(Stores))]
    public void RegisteredRoomsKeepEverything(string kind)
    {
        using var store = Open(kind);
        var room = new RegisteredRoom("#Sock", "alice", DateTimeOffset.FromUnixTimeSeconds(1_700_000_000))
        {
            Topic = "welcome; DROP TABLE rooms; --",
            TopicSetBy = "alice!a@h",
            TopicTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_100),
            Modes = "+ntk key",
            Lists = ["b *!*@bad", "e ok!*@*", "I friend!*@*"],
            Access = new Dictionary<string, RoomAccess>(StringComparer.OrdinalIgnoreCase) { ["bob"] = RoomAccess.Operator, ["carol"] = RoomAccess.Voice },
        };
        store.SaveRoom(room);
        var back = store.FindRoom("#sock")!;
        Assert.Equal(("#Sock", "alice", room.Registered, room.Topic, room.TopicSetBy, room.TopicTime, room.Modes),
            (back.Name, back.Founder, back.Registered, back.Topic, back.TopicSetBy, back.TopicTime, back.Modes));
        Assert.Equal(room.Lists, back.Lists);
        Assert.Equal(RoomAccess.Operator, back.Access["BOB"]);
        Assert.Equal(RoomAccess.Voice, back.Access["carol"]);
        store.SaveRoom(back with { Topic = "new" });
        Assert.Equal("new", store.FindRoom("#SOCK")!.Topic);
        Assert.True(store.DropRoom("#sock"));
        Assert.Null(store.FindRoom("#sock"));
    }

    [Theory, MemberData(nameof(Stores))]
    public void ReadMarkersPerAccountAndTarget(string kind)
    {
        using var store = Open(kind);
        Assert.Null(store.ReadMarker("alice", "#x"));
        var t = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        store.SetReadMarker("alice", "#x", t);
        Assert.Equal(t, store.ReadMarker("ALICE", "#X"));
        Assert.Null(store.ReadMarker("bob", "#x"));
    }

    [Theory, MemberData(nameof(Stores))]
    public void OddNamesAndPasswordsAreData(string kind)
    {
        using var store = Open(kind);
        const string name = "'; DROP TABLE accounts; --";
        const string password = "🔑 שלום\u202e\u0007'\"";
        Assert.True(store.TryCreate(NewAccount(name, password)));
        Assert.True(store.Find(name)!.Verifier.Verify(password));
        Assert.Equal([name], store.All().Select(a => a.Name));
    }

    [Fact]
    public void SqliteMigratesAnEmptyFileAndReopensIdempotently()
    {
        var path = Path.Combine(_dir, "empty.db");
        File.WriteAllBytes(path, []);
        using (var store = SqliteAccountStore.Open(path)) store.TryCreate(NewAccount("alice"));
        using (var again = SqliteAccountStore.Open(path))
            Assert.Equal(["alice"], again.All().Select(a => a.Name));
        using var db = new SqliteConnection($"Data Source={path}");
        db.Open();
        using var q = db.CreateCommand();
        q.CommandText = "SELECT component || ' ' || version FROM sock_schema";
        Assert.Equal("accounts 1", q.ExecuteScalar());
        q.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('accounts', 'account_certs', 'rooms', 'read_markers')";
        Assert.Equal(4L, q.ExecuteScalar());
        q.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", q.ExecuteScalar());
    }

    [Fact]
    public void SqliteRefusesANewerSchema()
    {
        var path = Path.Combine(_dir, "newer.db");
        using (var store = SqliteAccountStore.Open(path)) { }
        using (var db = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var u = db.CreateCommand();
            u.CommandText = "UPDATE sock_schema SET version = 99 WHERE component = 'accounts'";
            u.ExecuteNonQuery();
        }
        var e = Assert.Throws<SockException>(() => SqliteAccountStore.Open(path));
        Assert.Contains("newer sock (schema 99", e.Message);
    }

    [Fact]
    public void SqliteSeesChangesFromAnotherConnectionAtOnce()
    {
        var path = Path.Combine(_dir, "shared.db");
        using var server = SqliteAccountStore.Open(path);
        using var operatorCli = SqliteAccountStore.Open(path);
        operatorCli.TryCreate(NewAccount("alice"));
        Assert.NotNull(server.Find("alice"));
        operatorCli.Drop("alice");
        Assert.Null(server.Find("alice"));
    }
}
