namespace Sock.Chat;

/// <summary>Why the hub refused something; each protocol turns it into its own message or numeric.</summary>
public enum ChatError
{
    None,
    NoSuchNick,
    NoSuchRoom,
    CannotSendToRoom,
    NotInRoom,
    NickInUse,
    ErroneousNick,
    BadRoomName,
    NotRoomOperator,
    UserNotInRoom,
    TooManyRooms,
    NoPrivileges,
    AlreadyInRoom,
    /// <summary>+b matches the joiner (and no +e does).</summary>
    BannedFromRoom,
    /// <summary>+i and no invitation or +I match.</summary>
    InviteOnlyRoom,
    /// <summary>+l reached.</summary>
    RoomFull,
    /// <summary>+k and the wrong key.</summary>
    BadRoomKey,
    /// <summary>A +b/+e/+I list is at its maximum.</summary>
    ListFull,
    /// <summary>A mode's parameter is not acceptable (a bad key, a limit out of range, an oversize mask).</summary>
    InvalidModeParameter,
    UnknownMode,
    /// <summary>INVITE of someone already in the room.</summary>
    UserOnRoom,
    /// <summary>The MONITOR list is full.</summary>
    MonitorListFull,
    /// <summary>A referenced message (REDACT) is not known or not the member's to withdraw.</summary>
    NoSuchMessage,
    /// <summary>--require-account: log in first.</summary>
    AccountRequired,
    /// <summary>A cluster node cannot reach Redis: nothing is accepted that could be lost; try again shortly.</summary>
    Unavailable,
    /// <summary>RENAME to a name another room has.</summary>
    RoomExists,
    /// <summary>RENAME of (or onto) a room ChanServ keeps.</summary>
    RoomRegistered,
    /// <summary>An account already has --max-devices-per-account devices connected.</summary>
    TooManyDevices,
}
