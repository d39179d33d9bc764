using System.Net.Sockets;
using Sock.Net;

namespace Sock.Tests.Toolbox;

public class ToolboxFormattingTests
{
    [Fact]
    public void FamilyAndTypeNamesAreTheCLibrarysWithoutPrefix()
    {
        Assert.Equal("inet", SocketNames.Family(AddressFamily.InterNetwork));
        Assert.Equal("inet6", SocketNames.Family(AddressFamily.InterNetworkV6));
        Assert.Equal("unix", SocketNames.Family(AddressFamily.Unix));
        Assert.Equal("stream", SocketNames.Type(SocketType.Stream));
        Assert.Equal("dgram", SocketNames.Type(SocketType.Dgram));
        Assert.Equal("raw", SocketNames.Type(SocketType.Raw));
        Assert.Equal(SocketType.Dgram, SocketNames.ParseType("udp"));
        Assert.Null(SocketNames.ParseType("bogus"));
    }

    [Fact]
    public void ResolverErrorsNameTheInputTextAndSymbol()
    {
        var e = ResolverCodes.Eai("resolve nosuch.invalid", -2);
        Assert.Equal("resolve nosuch.invalid: name or service not known (EAI_NONAME)", e.Message);
        Assert.Equal(-2, e.Code);
        Assert.Equal("EAI_NONAME", e.Symbol);
        Assert.Equal("reverse 10.0.0.1: unknown host (HOST_NOT_FOUND)", ResolverCodes.HostError("reverse 10.0.0.1", 1).Message);
        Assert.Equal("EAI_SERVICE", ResolverCodes.EaiName(-8));
        Assert.Equal("EAI_-99", ResolverCodes.EaiName(-99));
    }

    [Fact]
    public void WellKnownTableMergesIntoTheDatabaseAndMarksRows()
    {
        ServiceEntry[] database = [new("ssh", 22, "tcp", []), new("http", 80, "tcp", ["www"]), new("echo", 7, "tcp", [])];
        var merged = WellKnownPorts.Merge(database);
        Assert.Equal(merged.Select(l => l.Entry.Port), merged.Select(l => l.Entry.Port).Order());
        var ssh = merged.Single(l => l.Entry.Name == "ssh");
        Assert.True(ssh.WellKnown);
        Assert.True(ssh.InDatabase);
        Assert.False(merged.Single(l => l.Entry.Name == "echo").WellKnown);
        var mongo = merged.Single(l => l.Entry.Port == 27017);
        Assert.True(mongo.WellKnown);
        Assert.False(mongo.InDatabase);
        Assert.Equal("MongoDB", WellKnownPorts.LabelOf(mongo.Entry));
        Assert.Equal(WellKnownPorts.Table.Count + 1, merged.Count);
    }

    [Fact]
    public void MergeFiltersByProtoAndText()
    {
        var udp = WellKnownPorts.Merge([], proto: "udp");
        Assert.Equal(["53/udp", "69/udp"], udp.Select(l => $"{l.Entry.Port}/{l.Entry.Proto}"));
        Assert.Equal([80], WellKnownPorts.Merge([new("http", 80, "tcp", ["www"])], filter: "www").Select(l => l.Entry.Port));
        Assert.Equal([27017], WellKnownPorts.Merge([], filter: "mongo").Select(l => l.Entry.Port));
        Assert.Equal([22], WellKnownPorts.Merge([], filter: "22").Select(l => l.Entry.Port));
    }
}
