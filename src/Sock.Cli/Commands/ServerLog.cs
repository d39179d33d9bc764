using System.Text.Json;

namespace Sock.Cli.Commands;

/// <summary>The server's log on stderr: "HH:mm:ss line", or with --log-format json one object per line for collectors.</summary>
internal sealed class ServerLog(bool json)
{
    private readonly Lock _gate = new();

    public void Write(string message)
    {
        lock (_gate)
        {
            if (!json)
            {
                Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");
                return;
            }
            using var stream = new MemoryStream();
            // Log text is not HTML: '+' and '<' stay as they are.
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("time", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("message", message);
                w.WriteEndObject();
            }
            Console.Error.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
        }
    }
}
