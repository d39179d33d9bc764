using System.Net.Sockets;

namespace Sock.Chat.Client.Dcc;

// DCC RESUME (mIRC's protocol, which irssi and WeeChat speak): the receiver of an offer whose
// earlier download broke off asks to continue at the length of its .part; the sender answers
// DCC ACCEPT and sends only the rest. The offer's port (or, passive, its token) names it.
internal sealed partial class DccManager
{
    /// <summary>How long /resume waits for the sender's DCC ACCEPT.</summary>
    public static readonly TimeSpan ResumeAnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly List<(DccOffer Offer, long Position, TaskCompletionSource<long> Accepted)> _resuming = [];

    /// <summary>/resume [NICK]: continues the .part an earlier download of the offered file left.</summary>
    public async Task ResumeAsync(string? nick, CancellationToken ct)
    {
        var offer = Take(nick);
        if (offer is null) return;
        var partial = DccFileNames.Partial(context.DownloadDirectory, offer.FileName);
        if (partial is not { Length: > 0 } p || p.Length >= offer.Size)
        {
            lock (_gate) _pending.Add(offer); // still there for /accept
            context.Report(ChatEvent.Error(
                $"nothing to resume: no '{offer.FileName}{DccFileNames.PartSuffix}' shorter than the offer in {context.DownloadDirectory}; /accept {offer.From} downloads it anew"));
            return;
        }
        var request = new DccResume(offer.FileName, offer.Port, p.Length, offer.Token);
        var entry = (Offer: offer, Position: p.Length, Accepted: new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate) _resuming.Add(entry);
        if (!await context.SendCtcpAsync("PRIVMSG", offer.From, request.Format("RESUME"), ct))
        {
            lock (_gate) _resuming.Remove(entry);
            return;
        }
        context.Report(ChatEvent.Transfer($"asked {offer.From} to resume '{offer.FileName}' after the {Bytes(p.Length)} already here"));
        _ = Task.Run(async () =>
        {
            try
            {
                var at = await entry.Accepted.Task.WaitAsync(ResumeAnswerTimeout, _all.Token);
                if (at != p.Length)
                {
                    context.Report(ChatEvent.Error($"{offer.From} offered to resume '{offer.FileName}' at byte {at}, not {p.Length}; the offer is dropped"));
                    return;
                }
                TcpListener? listener = null;
                if (offer.IsPassive && (listener = await ListenForPassiveAsync(offer, _all.Token)) is null) return;
                await ReceiveAsync(offer, listener, at, _all.Token);
            }
            catch (TimeoutException)
            {
                lock (_gate) _pending.Add(offer);
                context.Report(ChatEvent.Error($"{offer.From} did not answer the resume request for '{offer.FileName}' within {ResumeAnswerTimeout.TotalSeconds:0}s; /accept {offer.From} downloads it anew"));
            }
            catch (OperationCanceledException) { }
            finally
            {
                lock (_gate) _resuming.Remove(entry);
            }
        }, CancellationToken.None);
    }

    /// <summary>DCC ACCEPT: the sender agreed to our /resume.</summary>
    private void OnResumeAccepted(string from, DccResume answer)
    {
        TaskCompletionSource<long>? accepted;
        lock (_gate)
            accepted = _resuming.FirstOrDefault(r => Same(r.Offer.From, from) && answer.Names(r.Offer.Port, r.Offer.Token)).Accepted;
        if (accepted is null) context.Report(ChatEvent.Info($"{from} accepted a resume we did not ask for ('{answer.FileName}'); ignored"));
        else accepted.TrySetResult(answer.Position);
    }

    /// <summary>DCC RESUME: the peer already has part of a file we offer; agree, and send only the rest.</summary>
    private async Task OnResumeAsync(string from, DccResume request, CancellationToken ct)
    {
        Outgoing? offer;
        lock (_gate)
        {
            offer = _outgoing.FirstOrDefault(o => Same(o.Nick, from) && !o.Connected && request.Names(o.Port, o.Token));
            if (offer is not null && request.Position > 0 && request.Position < offer.Size) offer.ResumeFrom = request.Position;
        }
        if (offer is null)
        {
            context.Report(ChatEvent.Info($"{from} asked to resume '{request.FileName}', which we are not offering them; ignored"));
            return;
        }
        if (offer.ResumeFrom != request.Position)
        {
            context.Report(ChatEvent.Error($"{from} asked to resume '{offer.Name}' at byte {request.Position} of {offer.Size}; refused, they get the whole file"));
            return;
        }
        context.Report(ChatEvent.Transfer($"{from} already has {Bytes(request.Position)} of '{offer.Name}'; sending only the rest"));
        await context.SendCtcpAsync("PRIVMSG", from, request.Format("ACCEPT"), ct);
    }
}
