using System.Net;
using Runnel.Protocol.Framing;

namespace Runnel.Broker.Pipeline;

/// <summary>
/// Per-request facts a handler may need. Owned by the connection; valid until the response has
/// been written. Resources registered with <see cref="RegisterForDispose"/> (pooled fetch buffers)
/// are released after the response bytes are copied out.
/// </summary>
public sealed class RequestContext
{
    private List<IDisposable>? _disposables;
    private object?[]? _connectionState;
    private int _connectionStateCount;

    public RequestContext(long connectionId, ListenerInfo listener, EndPoint? remote)
    {
        ConnectionId = connectionId;
        Listener = listener;
        RemoteEndPoint = remote;
    }

    public long ConnectionId { get; }

    /// <summary>The listener the connection arrived on (its advertised host and port go in Metadata).</summary>
    public ListenerInfo Listener { get; }

    public EndPoint? RemoteEndPoint { get; }

    public string? ClientId { get; internal set; }

    /// <summary>
    /// The header of the request being decoded, one per connection: a connection's requests are
    /// decoded one after another, and reusing it (and its client id string) saves two objects per request.
    /// </summary>
    internal RequestHeader Header { get; } = new();

    public short ApiVersion { get; internal set; }

    public int CorrelationId { get; internal set; }

    public string? ClientSoftwareName { get; internal set; }

    public string? ClientSoftwareVersion { get; internal set; }

    /// <summary>Cancelled when the connection closes or the broker stops.</summary>
    public CancellationToken ConnectionClosed { get; internal set; }

    /// <summary>
    /// The connection's one instance of <typeparamref name="T"/>, created on first use: what a
    /// handler keeps from request to request on a connection (a recycled request, a response rebuilt
    /// in place). A connection serves one request at a time, so the instance is never shared.
    /// </summary>
    public T ConnectionState<T>()
        where T : class, new()
    {
        var state = _connectionState;
        for (var i = 0; i < _connectionStateCount; i++)
        {
            if (state![i] is T found)
            {
                return found;
            }
        }

        var created = new T();
        if (state is null || _connectionStateCount == state.Length)
        {
            Array.Resize(ref _connectionState, Math.Max(4, _connectionStateCount * 2));
        }

        _connectionState![_connectionStateCount++] = created;
        return created;
    }

    public void RegisterForDispose(IDisposable disposable) => (_disposables ??= new()).Add(disposable);

    internal void ReleaseResources()
    {
        if (_disposables is null)
        {
            return;
        }

        foreach (var d in _disposables)
        {
            d.Dispose();
        }

        _disposables.Clear();
    }
}

/// <summary>A bound listener: its name, the address it is bound to and the address it advertises.</summary>
public sealed record ListenerInfo(string Name, IPEndPoint BoundEndPoint, string AdvertisedHost, int AdvertisedPort);
