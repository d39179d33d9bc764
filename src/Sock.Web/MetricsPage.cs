using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sock.Chat;

namespace Sock.Web;

/// <summary>
/// /metrics in the Prometheus text exposition format (0.0.4): counters end in _total, sizes in
/// _bytes, one HELP and TYPE per family. Gauges are computed here, at scrape time, not on the chat path.
/// </summary>
internal static class MetricsPage
{
    public static Task WriteAsync(HttpContext ctx, ChatServer chat, int httpOpen)
    {
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        var bytes = Encoding.UTF8.GetBytes(Render(chat, httpOpen));
        ctx.Response.ContentLength = bytes.Length;
        return ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).AsTask();
    }

    public static string Render(ChatServer chat, int httpOpen)
    {
        var m = chat.Hub.Metrics;
        var sb = new StringBuilder();
        var connections = chat.Connections;

        Family(sb, "sock_chat_connections", "gauge", "Chat connections now, by protocol and transport.");
        foreach (var g in connections.GroupBy(c => (c.Protocol, c.Transport)).OrderBy(g => g.Key))
            Sample(sb, "sock_chat_connections", g.Count(), ("protocol", g.Key.Protocol), ("transport", g.Key.Transport));
        Family(sb, "sock_http_connections", "gauge", "HTTP connections now (requests and WebSockets).");
        Sample(sb, "sock_http_connections", httpOpen);
        Family(sb, "sock_connections_accepted_total", "counter", "Connections accepted since start, by kind.");
        foreach (var kind in ChatMetrics.ConnectionKinds)
            Sample(sb, "sock_connections_accepted_total", m.AcceptedCount(kind), ("kind", kind));
        Family(sb, "sock_chat_rooms", "gauge", "Rooms that exist now.");
        Sample(sb, "sock_chat_rooms", chat.Hub.Rooms.Count);
        Family(sb, "sock_chat_members", "gauge", "Users with a nick now.");
        Sample(sb, "sock_chat_members", chat.Hub.MemberCount);
        Family(sb, "sock_chat_messages_received_total", "counter", "Messages accepted from users (room and private).");
        Sample(sb, "sock_chat_messages_received_total", m.MessagesIn);
        Family(sb, "sock_chat_messages_delivered_total", "counter", "Messages queued to recipients (one per member reached).");
        Sample(sb, "sock_chat_messages_delivered_total", m.Deliveries);
        Family(sb, "sock_chat_queued_bytes", "gauge", "Bytes waiting in clients' send queues now.");
        Sample(sb, "sock_chat_queued_bytes", connections.Sum(c => c.QueuedBytes));
        Family(sb, "sock_chat_disconnects_total", "counter", "Chat connections closed, by reason.");
        foreach (var reason in DisconnectReasons.Labels)
            Sample(sb, "sock_chat_disconnects_total", m.DisconnectCount(reason), ("reason", reason));
        Family(sb, "sock_chat_history_writes_total", "counter", "Messages written to room history.");
        Sample(sb, "sock_chat_history_writes_total", m.HistoryWrites);
        return sb.ToString();
    }

    private static void Family(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder sb, string name, long value, params (string Key, string Value)[] labels)
    {
        sb.Append(name);
        if (labels.Length > 0)
        {
            sb.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(labels[i].Key).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }
            sb.Append('}');
        }
        sb.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static string Escape(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
