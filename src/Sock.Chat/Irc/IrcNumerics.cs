namespace Sock.Chat.Irc;

/// <summary>The numerics the server sends, by their names in modern.ircdocs.horse.</summary>
internal static class Rpl
{
    public const string Welcome = "001", YourHost = "002", Created = "003", MyInfo = "004", ISupport = "005";
    public const string UModeIs = "221", StatsEnd = "219", StatsUptime = "242";
    public const string LuserClient = "251", LuserOp = "252", LuserUnknown = "253", LuserChannels = "254", LuserMe = "255";
    public const string AdminMe = "256", AdminLoc1 = "257", AdminLoc2 = "258", AdminEmail = "259";
    public const string LocalUsers = "265", GlobalUsers = "266", WhoisCertFp = "276";
    public const string Away = "301", UserHost = "302", IsOn = "303", UnAway = "305", NowAway = "306";
    public const string WhoisUser = "311", WhoisServer = "312", WhoisOperator = "313", WhoWasUser = "314", EndOfWho = "315";
    public const string WhoisIdle = "317", EndOfWhois = "318", WhoisChannels = "319";
    public const string ListStart = "321", List = "322", ListEnd = "323", ChannelModeIs = "324", CreationTime = "329";
    public const string WhoisAccount = "330", NoTopic = "331", Topic = "332", TopicWhoTime = "333", WhoisBot = "335";
    public const string WhoisActually = "338", Inviting = "341", InviteList = "346", EndOfInviteList = "347";
    public const string ExceptList = "348", EndOfExceptList = "349", Version = "351", WhoReply = "352", WhoSpcRpl = "354";
    public const string NamReply = "353", Links = "364", EndOfLinks = "365", EndOfNames = "366", BanList = "367", EndOfBanList = "368";
    public const string EndOfWhoWas = "369", Info = "371", Motd = "372", EndOfInfo = "374", MotdStart = "375", EndOfMotd = "376";
    public const string WhoisHost = "378", WhoisModes = "379", YoureOper = "381", Time = "391";
    public const string HelpStart = "704", HelpTxt = "705", EndOfHelp = "706";
    public const string WhoisKeyValue = "760", KeyValue = "761", KeyNotSet = "766";
    public const string MetadataSubOk = "770", MetadataUnsubOk = "771", MetadataSubs = "772";
    public const string MonOnline = "730", MonOffline = "731", MonList = "732", EndOfMonList = "733";
    public const string WhoisSecure = "671";
    public const string LoggedIn = "900", LoggedOut = "901", SaslSuccess = "903", SaslMechs = "908";
}

internal static class Err
{
    public const string NoSuchNick = "401", NoSuchServer = "402", NoSuchChannel = "403", CannotSendToChan = "404";
    public const string TooManyChannels = "405", WasNoSuchNick = "406", NoOrigin = "409", InvalidCapCmd = "410";
    public const string NoRecipient = "411", NoTextToSend = "412", InputTooLong = "417", UnknownCommand = "421", NoMotd = "422";
    public const string NoNicknameGiven = "431", ErroneusNickname = "432", NicknameInUse = "433", UnavailResource = "437";
    public const string UserNotInChannel = "441", NotOnChannel = "442", UserOnChannel = "443", NotRegistered = "451";
    public const string NeedMoreParams = "461", AlreadyRegistered = "462", PasswdMismatch = "464";
    public const string ChannelIsFull = "471", UnknownMode = "472", InviteOnlyChan = "473", BannedFromChan = "474";
    public const string BadChannelKey = "475", BadChanMask = "476", BanListFull = "478";
    public const string NoPrivileges = "481", ChanOPrivsNeeded = "482", UModeUnknownFlag = "501", UsersDontMatch = "502";
    public const string HelpNotFound = "524", InvalidKey = "525", MonListFull = "734", InvalidModeParam = "696";
    public const string NeedReggedNick = "477", MetadataSyncLater = "774";
    public const string NickLocked = "902", SaslFail = "904", SaslTooLong = "905", SaslAborted = "906", SaslAlready = "907";
}
