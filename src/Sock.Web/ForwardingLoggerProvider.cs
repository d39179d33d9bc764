using Microsoft.Extensions.Logging;

namespace Sock.Web;

/// <summary>Kestrel's warnings and errors into the chat server's log, never to a console of its own.</summary>
internal sealed class ForwardingLoggerProvider(Action<string> log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, categoryName);

    public void Dispose() { }

    private sealed class Logger(Action<string> log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            log($"web: {category[(category.LastIndexOf('.') + 1)..]}: {message}{(exception is null ? "" : " (" + exception.Message + ")")}");
        }
    }
}
