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
}
