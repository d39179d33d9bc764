namespace Sock.Chat.Cluster;

/// <summary>A cluster node is the chat server's backend: its stores and fan-out go through Redis.</summary>
public sealed partial class ClusterNode : IChatBackend
{
    IChatFanout? IChatBackend.Fanout => Feed;
    INickRegistry? IChatBackend.Nicks => Nicks;
    Task IChatBackend.AttachAsync(ChatHub hub) => StartAsync(hub);
}
