namespace Sock.Transfer;

/// <summary>Constants of the transfer wire format (docs/transfer-protocol.md). Integers are big-endian.</summary>
public static class WireFormat
{
    /// <summary>The 8 bytes that open every transfer stream, sent by the sender.</summary>
    public static ReadOnlySpan<byte> Magic => "SOCKXFER"u8;

    public const byte Version = 1;

    /// <summary>Bytes of hello: magic, version, hash kind, flags (0).</summary>
    public const int HelloLength = 11;

    public const int MaxEntries = 1_000_000;
    public const int MaxNameBytes = 4096;
    public const int MaxDataLength = 16 << 20;
    public const int MaxErrorBytes = 4096;

    /// <summary>The data chunk size a sender uses (any size up to <see cref="MaxDataLength"/> is valid).</summary>
    public const int ChunkSize = 1 << 20;

    /// <summary>Bytes before a DATA frame's payload: type and u32 length.</summary>
    public const int DataHeaderLength = 5;
}

/// <summary>Frame type bytes.</summary>
public enum FrameType : byte
{
    Manifest = 0x01,
    Plan = 0x02,
    FileStart = 0x03,
    Data = 0x04,
    FileEnd = 0x05,
    Done = 0x06,
    Result = 0x07,
    Error = 0x7F,
}

/// <summary>What one manifest entry is.</summary>
public enum EntryKind : byte
{
    File = 1,
    Directory = 2,
}

/// <summary>Sender's verdict in a FILE_END frame.</summary>
public enum SendStatus : byte
{
    Ok = 0,
    Changed = 1,
    ReadError = 2,
}

/// <summary>Receiver's verdict per entry in the RESULT frame, and the outcome both sides report.</summary>
public enum FileStatus : byte
{
    Ok = 0,
    HashMismatch = 1,
    ChangedWhileSending = 2,
    WriteError = 3,
    NotTransferred = 4,
}
