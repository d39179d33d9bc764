using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Sock.Chat.Storage;

/// <summary>
/// History in a SQLite file, surviving restarts. Reads are served from memory (loaded at start);
/// appends are written by one background task in batched transactions so the hub never waits on disk.
/// </summary>
public sealed class SqliteHistoryStore : IHistoryStore
{
    private readonly MemoryHistoryStore _memory;
    private readonly SqliteConnection _db;
    private readonly Channel<ChatEvent> _pending = Channel.CreateUnbounded<ChatEvent>(new UnboundedChannelOptions { SingleReader = true });
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
            Exec(db, "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, time INTEGER NOT NULL, kind INTEGER NOT NULL, nick TEXT NOT NULL, prefix TEXT NOT NULL, text TEXT NOT NULL)");
            Exec(db, "CREATE INDEX IF NOT EXISTS messages_room ON messages(room, seq)");
            // Prove we can write now (a read-only file or a lock held by another process fails here, not mid-run).
            using (var tx = db.BeginTransaction())
            {
                Exec(db, "DELETE FROM messages WHERE 0", tx);
                tx.Commit();
            }
            var memory = new MemoryHistoryStore(perRoom);
            using var cmd = db.CreateCommand();
            cmd.CommandText = "SELECT room, time, kind, nick, prefix, text FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY room ORDER BY seq DESC) AS rn FROM messages) WHERE rn <= $n ORDER BY seq";
            cmd.Parameters.AddWithValue("$n", perRoom);
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    memory.Append(new ChatEvent
                    {
                        Target = reader.GetString(0),
                        Time = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                        Kind = (ChatEventKind)reader.GetInt32(2),
                        From = reader.GetString(3),
                        FromPrefix = reader.GetString(4),
                        Text = reader.GetString(5),
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

    public void Append(ChatEvent e)
    {
        _memory.Append(e);
        _pending.Writer.TryWrite(e);
    }

    public IReadOnlyList<ChatEvent> Recent(string room, int count) => _memory.Recent(room, count);

    private async Task WriteLoopAsync()
    {
        var batch = new List<ChatEvent>();
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < 1000 && _pending.Reader.TryRead(out var e)) batch.Add(e);
            try
            {
                using var tx = _db.BeginTransaction();
                using var cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO messages (room, time, kind, nick, prefix, text) VALUES ($r, $t, $k, $n, $p, $x)";
                var r = cmd.Parameters.Add("$r", SqliteType.Text);
                var t = cmd.Parameters.Add("$t", SqliteType.Integer);
                var k = cmd.Parameters.Add("$k", SqliteType.Integer);
                var n = cmd.Parameters.Add("$n", SqliteType.Text);
                var p = cmd.Parameters.Add("$p", SqliteType.Text);
                var x = cmd.Parameters.Add("$x", SqliteType.Text);
                foreach (var e in batch)
                {
                    r.Value = e.Target; t.Value = e.Time.ToUnixTimeMilliseconds(); k.Value = (int)e.Kind;
                    n.Value = e.From; p.Value = e.FromPrefix; x.Value = e.Text;
                    cmd.ExecuteNonQuery();
                }
                tx.Commit();
            }
            catch (SqliteException ex)
            {
                // Keep serving from memory; say so once per failed batch.
                WriteFailed?.Invoke($"history database write failed ({batch.Count} messages kept in memory only): {ex.Message}");
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
