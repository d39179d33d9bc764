using Microsoft.Data.Sqlite;

namespace Sock.Chat.Accounts;

/// <summary>
/// Accounts, registered rooms and read markers in the history's SQLite file, in tables of their own
/// (schema versioned in <c>sock_schema</c>, migrated at start). Every call reads or writes the file,
/// so `sock chat accounts` changes made while the server runs take effect at once (WAL, busy timeout).
/// A failing database throws <see cref="SockException"/>: callers refuse the login, chat goes on.
/// </summary>
public sealed class SqliteAccountStore : IAccountStore
{
    public const int SchemaVersion = 1;
    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();

    private SqliteAccountStore(SqliteConnection db) => _db = db;

    public static SqliteAccountStore Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 5 }.ToString());
        try
        {
            db.Open();
            Exec(db, "PRAGMA busy_timeout=5000");
            Exec(db, "PRAGMA journal_mode=WAL");
            Exec(db, "PRAGMA foreign_keys=ON");
            Migrate(db);
            return new SqliteAccountStore(db);
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new SockException($"account database {path}: {Describe(e)}");
        }
    }

    private static string Describe(SqliteException e) => e.SqliteErrorCode switch
    {
        5 or 6 => "database is locked by another process",
        8 => "database file is read-only",
        14 => "cannot open the database file (permission denied or not a file)",
        26 => "file is not a SQLite database",
        _ => e.Message.Replace("SQLite Error ", "", StringComparison.Ordinal),
    };

    private static void Migrate(SqliteConnection db)
    {
        Exec(db, "CREATE TABLE IF NOT EXISTS sock_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
        using var q = db.CreateCommand();
        q.CommandText = "SELECT version FROM sock_schema WHERE component = 'accounts'";
        var version = q.ExecuteScalar() is long v ? (int)v : 0;
        if (version > SchemaVersion) throw new SockException($"accounts were written by a newer sock (schema {version}, this one knows {SchemaVersion})");
        if (version == 0)
        {
            using var tx = db.BeginTransaction();
            Exec(db, """
                CREATE TABLE accounts (name TEXT PRIMARY KEY COLLATE NOCASE, created INTEGER NOT NULL, salt BLOB NOT NULL,
                  iterations INTEGER NOT NULL, stored_key BLOB NOT NULL, server_key BLOB NOT NULL, verified INTEGER NOT NULL, email TEXT);
                CREATE TABLE account_certs (fingerprint TEXT PRIMARY KEY COLLATE NOCASE,
                  account TEXT NOT NULL COLLATE NOCASE REFERENCES accounts(name) ON DELETE CASCADE);
                CREATE TABLE rooms (name TEXT PRIMARY KEY COLLATE NOCASE, founder TEXT NOT NULL, registered INTEGER NOT NULL,
                  topic TEXT NOT NULL, topic_by TEXT NOT NULL, topic_time INTEGER NOT NULL, modes TEXT NOT NULL, lists TEXT NOT NULL, access TEXT NOT NULL);
                CREATE TABLE read_markers (account TEXT NOT NULL COLLATE NOCASE, target TEXT NOT NULL COLLATE NOCASE, time INTEGER NOT NULL,
                  PRIMARY KEY (account, target));
                INSERT INTO sock_schema (component, version) VALUES ('accounts', 1);
                """, tx);
            tx.Commit();
        }
        // Account settings (always-on, its rooms, autoreplay): a table of their own, added to a file of any version.
        Exec(db, "CREATE TABLE IF NOT EXISTS account_settings (account TEXT NOT NULL COLLATE NOCASE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (account, key))");
    }

    public Account? Find(string name) => Locked(() =>
    {
        using var cmd = Command("SELECT name, created, salt, iterations, stored_key, server_key, verified, email FROM accounts WHERE name = $n", ("$n", name));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadAccount(r) : null;
    });

    private Account ReadAccount(SqliteDataReader r)
    {
        var name = r.GetString(0);
        using var certs = Command("SELECT fingerprint FROM account_certs WHERE account = $n ORDER BY fingerprint", ("$n", name));
        using var cr = certs.ExecuteReader();
        var list = new List<string>();
        while (cr.Read()) list.Add(cr.GetString(0));
        return new Account(name, DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(1)),
            new PasswordVerifier((byte[])r[2], r.GetInt32(3), (byte[])r[4], (byte[])r[5]), list, r.GetInt64(6) != 0, r.IsDBNull(7) ? null : r.GetString(7));
    }

    public bool TryCreate(Account account) => Locked(() =>
    {
        using var tx = _db.BeginTransaction();
        using var cmd = Command("INSERT OR IGNORE INTO accounts VALUES ($n, $c, $s, $i, $k, $v, $ok, $e)",
            ("$n", account.Name), ("$c", account.Created.ToUnixTimeSeconds()), ("$s", account.Verifier.Salt), ("$i", account.Verifier.Iterations),
            ("$k", account.Verifier.StoredKey), ("$v", account.Verifier.ServerKey), ("$ok", account.Verified ? 1 : 0), ("$e", (object?)account.Email ?? DBNull.Value));
        cmd.Transaction = tx;
        if (cmd.ExecuteNonQuery() == 0) return false;
        WriteCerts(account, tx);
        tx.Commit();
        return true;
    });

    public bool Update(Account account) => Locked(() =>
    {
        using var tx = _db.BeginTransaction();
        using var cmd = Command("UPDATE accounts SET salt = $s, iterations = $i, stored_key = $k, server_key = $v, verified = $ok, email = $e WHERE name = $n",
            ("$n", account.Name), ("$s", account.Verifier.Salt), ("$i", account.Verifier.Iterations), ("$k", account.Verifier.StoredKey),
            ("$v", account.Verifier.ServerKey), ("$ok", account.Verified ? 1 : 0), ("$e", (object?)account.Email ?? DBNull.Value));
        cmd.Transaction = tx;
        if (cmd.ExecuteNonQuery() == 0) return false;
        WriteCerts(account, tx);
        tx.Commit();
        return true;
    });

    private void WriteCerts(Account a, SqliteTransaction tx)
    {
        using var clear = Command("DELETE FROM account_certs WHERE account = $n", ("$n", a.Name));
        clear.Transaction = tx;
        clear.ExecuteNonQuery();
        foreach (var fp in a.Certificates)
        {
            using var add = Command("INSERT OR REPLACE INTO account_certs VALUES ($f, $n)", ("$f", fp), ("$n", a.Name));
            add.Transaction = tx;
            add.ExecuteNonQuery();
        }
    }

    public bool Drop(string name) => Locked(() =>
    {
        using (var settings = Command("DELETE FROM account_settings WHERE account = $n", ("$n", name))) settings.ExecuteNonQuery();
        using var cmd = Command("DELETE FROM accounts WHERE name = $n", ("$n", name));
        return cmd.ExecuteNonQuery() > 0;
    });

    public IReadOnlyList<Account> All() => Locked(() =>
    {
        using var cmd = Command("SELECT name, created, salt, iterations, stored_key, server_key, verified, email FROM accounts ORDER BY name COLLATE NOCASE");
        using var r = cmd.ExecuteReader();
        var list = new List<Account>();
        while (r.Read()) list.Add(ReadAccount(r));
        return (IReadOnlyList<Account>)list;
    });

    public Account? FindByCertificate(string fingerprint) => Locked(() =>
    {
        using var cmd = Command("SELECT account FROM account_certs WHERE fingerprint = $f", ("$f", fingerprint));
        return cmd.ExecuteScalar() is string name ? name : null;
    }) is { } account ? Find(account) : null;

    public RegisteredRoom? FindRoom(string name) => Locked(() =>
    {
        using var cmd = Command("SELECT name, founder, registered, topic, topic_by, topic_time, modes, lists, access FROM rooms WHERE name = $n", ("$n", name));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        var access = new Dictionary<string, RoomAccess>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in r.GetString(8).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (line.Split(' ') is [var who, var level] && Enum.TryParse<RoomAccess>(level, out var a)) access[who] = a;
        return new RegisteredRoom(r.GetString(0), r.GetString(1), DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(2)))
        {
            Topic = r.GetString(3),
            TopicSetBy = r.GetString(4),
            TopicTime = DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(5)),
            Modes = r.GetString(6),
            Lists = r.GetString(7).Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Access = access,
        };
    });

    public void SaveRoom(RegisteredRoom room) => Locked(() =>
    {
        using var cmd = Command("INSERT OR REPLACE INTO rooms VALUES ($n, $f, $r, $t, $tb, $tt, $m, $l, $a)",
            ("$n", room.Name), ("$f", room.Founder), ("$r", room.Registered.ToUnixTimeSeconds()), ("$t", room.Topic),
            ("$tb", room.TopicSetBy), ("$tt", room.TopicTime.ToUnixTimeSeconds()), ("$m", room.Modes), ("$l", string.Join('\n', room.Lists)),
            ("$a", string.Join('\n', room.Access.Select(kv => $"{kv.Key} {kv.Value}"))));
        return cmd.ExecuteNonQuery();
    });

    public bool DropRoom(string name) => Locked(() =>
    {
        using var cmd = Command("DELETE FROM rooms WHERE name = $n", ("$n", name));
        return cmd.ExecuteNonQuery() > 0;
    });

    public DateTimeOffset? ReadMarker(string account, string target) => Locked(() =>
    {
        using var cmd = Command("SELECT time FROM read_markers WHERE account = $a AND target = $t", ("$a", account), ("$t", target));
        return cmd.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
    });

    public void SetReadMarker(string account, string target, DateTimeOffset time) => Locked(() =>
    {
        using var cmd = Command("INSERT OR REPLACE INTO read_markers VALUES ($a, $t, $m)", ("$a", account), ("$t", target), ("$m", time.ToUnixTimeMilliseconds()));
        return cmd.ExecuteNonQuery();
    });

    public string? Setting(string account, string key) => Locked(() =>
    {
        using var cmd = Command("SELECT value FROM account_settings WHERE account = $a AND key = $k", ("$a", account), ("$k", key));
        return cmd.ExecuteScalar() as string;
    });

    public void SetSetting(string account, string key, string? value) => Locked(() =>
    {
        using var cmd = value is null
            ? Command("DELETE FROM account_settings WHERE account = $a AND key = $k", ("$a", account), ("$k", key))
            : Command("INSERT OR REPLACE INTO account_settings VALUES ($a, $k, $v)", ("$a", account), ("$k", key), ("$v", value));
        return cmd.ExecuteNonQuery();
    });

    public IReadOnlyList<KeyValuePair<string, string>> WithSetting(string key) => Locked(() =>
    {
        using var cmd = Command("SELECT account, value FROM account_settings WHERE key = $k ORDER BY account", ("$k", key));
        using var r = cmd.ExecuteReader();
        var all = new List<KeyValuePair<string, string>>();
        while (r.Read()) all.Add(KeyValuePair.Create(r.GetString(0), r.GetString(1)));
        return (IReadOnlyList<KeyValuePair<string, string>>)all;
    });

    /// <summary>One connection, one caller at a time; SQLite failures become one clear line.</summary>
    private T Locked<T>(Func<T> work)
    {
        lock (_gate)
        {
            try { return work(); }
            catch (SqliteException e) { throw new SockException($"account database: {Describe(e)}"); }
        }
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    private static void Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
