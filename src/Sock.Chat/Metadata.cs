using System.Text;

namespace Sock.Chat;

/// <summary>Why a metadata change was refused (each protocol words it).</summary>
public enum MetadataError
{
    None,
    /// <summary>The key is not a valid name (<see cref="MetadataKeys.IsValidKey"/>).</summary>
    InvalidKey,
    /// <summary>The value is empty or longer than the server takes.</summary>
    InvalidValue,
    /// <summary>Only the member itself (a room: its operators) or a server operator may change it.</summary>
    NoPermission,
    /// <summary>The target already holds as many keys as it may.</summary>
    LimitReached,
}

/// <summary>Key names and values as the server takes them (IRCv3 draft/metadata-3's rules).</summary>
public static class MetadataKeys
{
    /// <summary>The longest key kept.</summary>
    public const int MaxKeyLength = 64;

    /// <summary>1-64 of <c>a-z 0-9 _ . / -</c> (lower case only: keys compare exactly, so there is one spelling).</summary>
    public static bool IsValidKey(string key) =>
        key.Length is > 0 and <= MaxKeyLength && key.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '.' or '/' or '-');

    /// <summary>Non-empty and at most <paramref name="maxBytes"/> of UTF-8 (a value must fit one protocol line when it is relayed).</summary>
    public static bool IsValidValue(string value, int maxBytes) => value.Length > 0 && Encoding.UTF8.GetByteCount(value) <= maxBytes;
}

/// <summary>
/// The metadata of one member or one room: a few keys with their values, in the order they were
/// first set (LIST shows them so). Its own lock: it is read from other members' threads (GET, a join's sync).
/// </summary>
public sealed class MetadataTable
{
    // A handful of keys each (bounded by MetadataMaxKeys): a list is smaller and as fast as a dictionary.
    // Made on the first key and guarded by lock (this): every member has a table and most never set a
    // key, so the list and a Lock object were 72 bytes each idle client carried.
    private List<KeyValuePair<string, string>>? _entries;

    public int Count { get { lock (this) return _entries?.Count ?? 0; } }

    public string? Get(string key)
    {
        lock (this) return IndexOf(key) is var i and >= 0 ? _entries![i].Value : null;
    }

    /// <summary>A snapshot of every key and value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries
    {
        get { lock (this) return _entries is null ? [] : [.. _entries]; }
    }

    /// <summary>
    /// Sets <paramref name="key"/> (a null <paramref name="value"/> removes it). False when it would add a key past
    /// <paramref name="maxKeys"/>; <paramref name="changed"/> says whether the table differs afterwards (setting the
    /// same value, or removing a missing key, changes nothing).
    /// </summary>
    public bool Set(string key, string? value, int maxKeys, out bool changed)
    {
        lock (this)
        {
            var i = IndexOf(key);
            changed = false;
            if (value is null)
            {
                if (i < 0) return true;
                _entries!.RemoveAt(i);
                changed = true;
                return true;
            }
            if (i >= 0)
            {
                changed = _entries![i].Value != value;
                _entries[i] = KeyValuePair.Create(key, value);
                return true;
            }
            _entries ??= [];
            if (_entries.Count >= maxKeys) return false;
            _entries.Add(KeyValuePair.Create(key, value));
            changed = true;
            return true;
        }
    }

    /// <summary>Removes every key; returns those removed.</summary>
    public IReadOnlyList<string> Clear()
    {
        lock (this)
        {
            if (_entries is null) return [];
            var keys = _entries.Select(e => e.Key).ToList();
            _entries = null;
            return keys;
        }
    }

    private int IndexOf(string key) => _entries?.FindIndex(e => e.Key == key) ?? -1;
}
