namespace Sock.Tls;

/// <summary>
/// Passes a connection through untouched while noting the server's clear-text handshake messages:
/// the one SslStream does not report is CertificateStatus (type 22), a stapled OCSP response in
/// TLS 1.2. TLS 1.3 sends it inside the encrypted Certificate message, out of sight here.
/// </summary>
internal sealed class HandshakeObserver(Stream inner) : Stream
{
    private const byte ChangeCipherSpec = 20, Handshake = 22;
    private const byte CertificateStatus = 22;

    private readonly byte[] _header = new byte[5];
    private int _headerFilled;
    private int _recordLeft;
    private bool _recordIsHandshake;
    private bool _done;
    private readonly List<byte> _messages = []; // handshake bytes across records, walked as they complete
    private int _walked;

    /// <summary>Whether a CertificateStatus message went by in clear text.</summary>
    public bool SawCertificateStatus { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        if (!_done) Observe(buffer.Span[..n]);
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        if (!_done) Observe(buffer.AsSpan(offset, n));
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Observe(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0 && !_done)
        {
            if (_recordLeft == 0)
            {
                var take = Math.Min(5 - _headerFilled, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += take;
                data = data[take..];
                if (_headerFilled < 5) return;
                _headerFilled = 0;
                _recordLeft = (_header[3] << 8) | _header[4];
                _recordIsHandshake = _header[0] == Handshake;
                // After the server's ChangeCipherSpec (or anything not a handshake record) all is encrypted.
                if (_header[0] is ChangeCipherSpec || !_recordIsHandshake) _done = _header[0] != 21 /* alert */;
                continue;
            }
            var chunk = Math.Min(_recordLeft, data.Length);
            if (_recordIsHandshake) _messages.AddRange(data[..chunk]);
            _recordLeft -= chunk;
            data = data[chunk..];
            Walk();
        }
    }

    private void Walk()
    {
        while (_messages.Count - _walked >= 4)
        {
            var length = (_messages[_walked + 1] << 16) | (_messages[_walked + 2] << 8) | _messages[_walked + 3];
            if (_messages.Count - _walked < 4 + length) return;
            if (_messages[_walked] == CertificateStatus) SawCertificateStatus = true;
            _walked += 4 + length;
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
