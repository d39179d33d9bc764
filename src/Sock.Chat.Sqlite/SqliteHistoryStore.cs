using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Sock.Chat.Storage;

/// <summary>
/// History in a SQLite file, surviving restarts. Reads are served from memory (loaded at start);
/// appends are written by one background task in batched transactions so the hub never waits on disk.
/// </summary>
public sealed class SqliteHistoryStore : IHistoryStore
{
    /// <summary>The longest part a multi-line message's line is cut into when read back (room for the prefix and tags in 512).</summary>
    private const int WireLineBytes = 350;

    private readonly MemoryHistoryStore _memory;
    private readonly SqliteConnection _db;
    // Writes in order: an append (Event set), a redaction (MsgId) or a forgotten key (Key only).
    private readonly record struct Write(string Key, ChatEvent? Event, string? MsgId);
    private readonly Channel<Write> _pending = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
    /// <summary>The schema this code writes; older files are migrated at start (PRAGMA user_version).</summary>
    public const int SchemaVersion = 2;
    private readonly Task _writer;

    /// <summary>Exposed so the server can log a write failure instead of crashing mid-run.</summary>
    public event Action<string>? WriteFailed;

    private SqliteHistoryStore(SqliteConnection db, MemoryHistoryStore memory)
    {
        _db = db;
        _memory = memory;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Opens (creating if needed) the database; a locked or unwritable file fails here, with a clear message.</summary>
    public static SqliteHistoryStore Open(string path, int perRoom)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir))
            throw new SockException($"history database {path}: directory {dir} does not exist");
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 1 }.ToString());
        try
        {
            db.Open();
            Exec(db, "PRAGMA busy_timeout=1000");
            Exec(db, "PRAGMA journal_mode=WAL");
            Exec(db, "PRAGMA synchronous=NORMAL");
            Migrate(db);
            // Prove we can write now (a read-only file or a lock held by another process fails here, not mid-run).
            using (var tx = db.BeginTransaction())
            {
                Exec(db, "DELETE FROM messages WHERE 0", tx);
                tx.Commit();
            }
            var memory = new MemoryHistoryStore(perRoom);
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT room, time, kind, nick, prefix, text, msgid, extra, account, bot, tags FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY room ORDER BY seq DESC) AS rn FROM messages) WHERE rn <= $n ORDER BY seq";
            cmd.Parameters.AddWithValue("$n", perRoom);
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    var key = reader.GetString(0);
                    memory.Append(key, new ChatEvent
                    {
                        // A private conversation's key is not a target; the recipient is kept in extra's place for those.
                        Target = key.StartsWith('~') ? reader.IsDBNull(7) ? null : reader.GetString(7) : key,
                        Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                        Kind = (ChatEventKind)reader.GetInt32(2),
                        From = reader.GetString(3),
                        FromPrefix = reader.GetString(4),
                        Text = reader.GetString(5),
                        MsgId = reader.IsDBNull(6) ? "" : reader.GetString(6),
                        Account = reader.IsDBNull(8) ? null : reader.GetString(8),
                        FromBot = !reader.IsDBNull(9) && reader.GetInt32(9) != 0,
                        ClientTags = reader.IsDBNull(10) ? null : reader.GetString(10),
                        // A multi-line message is kept as its text; its lines are cut again from it.
                        Lines = reader.GetString(5).Contains('\n', StringComparison.Ordinal) ? MessageLine.Split(reader.GetString(5), WireLineBytes) : null,
                        IsReplay = true,
                    });
                }
            }
            return new SqliteHistoryStore(db, memory);
        }
        catch (SqliteException e)
        {
            db.Dispose();
            var why = e.SqliteErrorCode switch
            {
                5 or 6 => "database is locked by another process",
                8 => "database file is read-only",
                14 => "cannot open the database file (permission denied or not a file)",
                26 => "file is not a SQLite database",
                _ => e.Message.Replace("SQLite Error ", "", StringComparison.Ordinal),
            };
            throw new SockException($"history database {path}: {why}");
        }
    }

    /// <summary>
    /// Schema versions: 0 = a new file; 1 = the first release (no msgid); 2 = msgid, target, account,
    /// bot and client tags. Each step runs once, in a transaction, and sets user_version.
    /// </summary>
    private static void Migrate(SqliteConnection db)
    {
        using var q = db.CreateCommand();
        q.CommandText = "PRAGMA user_version";
        var version = Convert.ToInt32(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version == 0)
        {
            // A file from before versioning already has the first table; a new one gets it here.
            Exec(db, "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, time INTEGER NOT NULL, kind INTEGER NOT NULL, nick TEXT NOT NULL, prefix TEXT NOT NULL, text TEXT NOT NULL)");
            Exec(db, "CREATE INDEX IF NOT EXISTS messages_room ON messages(room, seq)");
            version = 1;
        }
        if (version == 1)
        {
            using var tx = db.BeginTransaction();
            foreach (var column in new[] { "msgid TEXT", "extra TEXT", "account TEXT", "bot INTEGER", "tags TEXT" })
                Exec(db, $"ALTER TABLE messages ADD COLUMN {column}", tx);
            Exec(db, "CREATE INDEX IF NOT EXISTS messages_msgid ON messages(msgid)", tx);
            Exec(db, "PRAGMA user_version=2", tx);
            tx.Commit();
            version = 2;
        }
        if (version > SchemaVersion)
            throw new SockException($"history database was written by a newer sock (schema {version}, this one knows {SchemaVersion})");
    }

    public void Append(string key, ChatEvent e)
    {
        _memory.Append(key, e);
        _pending.Writer.TryWrite(new Write(key, e, null));
    }

    public IReadOnlyList<ChatEvent> Recent(string key, int count) => _memory.Recent(key, count);

    public ChatEvent? Find(string key, string msgId) => _memory.Find(key, msgId);

    public bool Remove(string key, string msgId)
    {
        if (!_memory.Remove(key, msgId)) return false;
        _pending.Writer.TryWrite(new Write(key, null, msgId));
        return true;
    }

    public void Forget(string key)
    {
        _memory.Forget(key);
        _pending.Writer.TryWrite(new Write(key, null, null));
    }

    public IReadOnlyList<string> Keys() => _memory.Keys();

    private async Task WriteLoopAsync()
    {
        var batch = new List<Write>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < 1000 && _pending.Reader.TryRead(out var e)) batch.Add(e);
            try
            {
                using var tx = _db.BeginTransaction();
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO messages (room, time, kind, nick, prefix, text, msgid, extra, account, bot, tags) VALUES ($r, $t, $k, $n, $p, $x, $m, $e, $a, $b, $g)";
                var r = cmd.Parameters.Add("$r", SqliteType.Text);
                var t = cmd.Parameters.Add("$t", SqliteType.Integer);
                var k = cmd.Parameters.Add("$k", SqliteType.Integer);
                var n = cmd.Parameters.Add("$n", SqliteType.Text);
                var p = cmd.Parameters.Add("$p", SqliteType.Text);
                var x = cmd.Parameters.Add("$x", SqliteType.Text);
                var m = cmd.Parameters.Add("$m", SqliteType.Text);
                var ex = cmd.Parameters.Add("$e", SqliteType.Text);
                var a = cmd.Parameters.Add("$a", SqliteType.Text);
                var b = cmd.Parameters.Add("$b", SqliteType.Integer);
                var g = cmd.Parameters.Add("$g", SqliteType.Text);
                using var delete = _db.CreateCommand();
                delete.Transaction = tx;
                delete.CommandText = "DELETE FROM messages WHERE room = $r AND ($m IS NULL OR msgid = $m)";
                var dr = delete.Parameters.Add("$r", SqliteType.Text);
                var dm = delete.Parameters.Add("$m", SqliteType.Text);
                foreach (var w in batch)
                {
                    if (w.Event is not { } e)
                    {
                        dr.Value = w.Key; dm.Value = (object?)w.MsgId ?? DBNull.Value;
                        delete.ExecuteNonQuery();
                        continue;
                    }
                    r.Value = w.Key; t.Value = e.Time.ToUnixTimeMilliseconds(); k.Value = (int)e.Kind;
                    n.Value = e.From; p.Value = e.FromPrefix; x.Value = e.Text; m.Value = e.MsgId;
                    ex.Value = w.Key.StartsWith('~') ? (object?)e.Target ?? DBNull.Value : DBNull.Value;
                    a.Value = (object?)e.Account ?? DBNull.Value; b.Value = e.FromBot ? 1 : 0; g.Value = (object?)e.ClientTags ?? DBNull.Value;
                    cmd.ExecuteNonQuery();
                }
                tx.Commit();
            }
            catch (SqliteException failure)
            {
                // Keep serving from memory; say so once per failed batch.
                WriteFailed?.Invoke($"history database write failed ({batch.Count} changes kept in memory only): {failure.Message}");
            }
            batch.Clear();
        }
    }

    private static void Exec(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
        await _db.DisposeAsync();
    }
}
