using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Runnel.Broker.Network;

namespace Runnel.Broker.Metrics;

/// <summary>
/// The broker's Prometheus endpoint (<c>runnel.metrics.listener</c>): <c>GET /metrics</c> (and
/// <c>HEAD</c>) answers 200 with <see cref="PrometheusExporter.Collect"/>'s text; any other path is
/// 404, any other method 405, anything that is not an HTTP/1.x request line 400, a request head
/// over <see cref="MaxRequestHeadBytes"/> 431. One request per connection (<c>Connection: close</c>):
/// Prometheus opens few connections and this keeps the server small.
/// <para>
/// Why not OpenTelemetry.Exporter.Prometheus.HttpListener (1.20.1-beta.1): it serves through
/// <see cref="HttpListener"/>, which refuses port 0 ("Invalid port in prefix") and never reports
/// the port it bound, so <c>http://127.0.0.1:0</c> (what tests and embedded brokers use, as for
/// <c>listeners</c>) cannot work with it. A socket bound here reports its port, and the whole
/// exporter is a MeterListener and this loop, with no extra dependency.
/// </para>
/// Lifecycle: <see cref="Start"/> binds and starts accepting (a bind failure fails the broker's
/// start); <see cref="DisposeAsync"/> closes the socket, cancels connections in progress, waits for
/// them and stops the exporter. Nothing a client sends can throw out of a connection's task: each
/// ends by closing its socket, and a bug is logged, never rethrown into the broker.
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    /// <summary>The one path served.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Largest request line plus headers accepted; a scrape's is a few hundred bytes.</summary>
    internal const int MaxRequestHeadBytes = 8192;

    /// <summary>Most bytes read and discarded after the response while waiting for the client to close.</summary>
    internal const int MaxDrainBytes = 1024 * 1024;

    /// <summary>Connections served at once; more are closed on accept so slow clients cannot pile up.</summary>
    internal const int MaxConcurrentConnections = 16;

    /// <summary>How long one connection may take from accept to response, so an idle client cannot hold a slot.</summary>
    internal static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly PrometheusExporter _exporter;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private long _nextConnectionId;
    private Task? _acceptLoop;

    private MetricsServer(Socket socket, Uri endpoint, PrometheusExporter exporter, ILogger logger)
    {
        _socket = socket;
        Endpoint = endpoint;
        _exporter = exporter;
        _logger = logger;
    }

    /// <summary>The scrape URL as bound: the configured host, the real port (port 0 resolved), <c>/metrics</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// Binds <paramref name="address"/> (an <c>http://host:port/</c> from <c>runnel.metrics.listener</c>),
    /// starts exporting <paramref name="meter"/>'s instruments and the runtime's GC counters
    /// (<see cref="PrometheusExporter.RuntimeInstrumentNames"/>) and accepting scrapes.
    /// </summary>
    public static MetricsServer Start(Uri address, Meter meter, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(loggers);
        string host = address.IdnHost.Trim('[', ']');
        IPAddress bindAddress = AcceptLoop.ResolveBindAddress(host);
        var socket = new Socket(bindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(bindAddress, address.Port));
            socket.Listen(MaxConcurrentConnections);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        var endpoint = new UriBuilder(Uri.UriSchemeHttp, host, bound.Port, MetricsPath).Uri;
        ILogger logger = loggers.CreateLogger<MetricsServer>();
        var server = new MetricsServer(socket, endpoint, new PrometheusExporter(meter, logger, exportRuntimeMetrics: true), logger);
        Log.Serving(logger, endpoint);
        server._acceptLoop = AcceptLoop.RunAsync(socket, server.Accepted, server._stopping.Token);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        await Task.WhenAll(_connections.Values);
        _exporter.Dispose();
        _stopping.Dispose();
    }

    private void Accepted(Socket client)
    {
        if (_connections.Count >= MaxConcurrentConnections)
        {
            Log.TooManyConnections(_logger, client.RemoteEndPoint?.ToString(), MaxConcurrentConnections);
            client.Dispose();
            return;
        }

        long id = Interlocked.Increment(ref _nextConnectionId);
        _connections[id] = RunConnectionAsync(id, client);
    }

    private async Task RunConnectionAsync(long id, Socket client)
    {
        // Off the accept loop: the request is read and answered on the thread pool.
        await Task.Yield();
        string? remote = client.RemoteEndPoint?.ToString();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxRequestHeadBytes);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            deadline.CancelAfter(ConnectionTimeout);
            await ServeAsync(client, remote, buffer, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Log.ConnectionClosed(_logger, remote, _stopping.IsCancellationRequested ? "the broker is stopping" : "the connection was still open at its deadline");
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            Log.ConnectionClosed(_logger, remote, ex.Message);
        }
        catch (Exception ex)
        {
            // A bug in serving one scrape must not take the broker down.
            Log.ConnectionFailed(_logger, remote, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            client.Dispose();
            _connections.TryRemove(id, out _);
        }
    }

    private async Task ServeAsync(Socket client, string? remote, byte[] buffer, CancellationToken cancellationToken)
    {
        int length = 0;
        int headLength;
        while ((headLength = HttpRequestHead.FindEnd(buffer.AsSpan(0, length))) < 0)
        {
            if (length == MaxRequestHeadBytes)
            {
                await RespondAsync(client, remote, HttpResponse.Error(431, "Request Header Fields Too Large", $"the request head is over {MaxRequestHeadBytes} bytes"), buffer, cancellationToken);
                return;
            }

            int read = await client.ReceiveAsync(buffer.AsMemory(length, MaxRequestHeadBytes - length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                Log.ConnectionClosed(_logger, remote, "the client closed before sending a whole request");
                return;
            }

            length += read;
        }

        HttpRequestHead request = HttpRequestHead.Parse(buffer.AsSpan(0, headLength));
        HttpResponse response = request.Rejection ?? (request.Path == MetricsPath
            ? HttpResponse.Ok(Encoding.UTF8.GetBytes(_exporter.Collect()), PrometheusExporter.ContentType)
            : HttpResponse.Error(404, "Not Found", $"the metrics are served at {MetricsPath}"));
        await RespondAsync(client, remote, request.IsHead ? response.WithoutBody() : response, buffer, cancellationToken);
    }

    private async Task RespondAsync(Socket client, string? remote, HttpResponse response, byte[] buffer, CancellationToken cancellationToken)
    {
        if (response.StatusCode != 200)
        {
            Log.BadRequest(_logger, remote, response.StatusCode, response.Reason);
        }

        await client.SendAsync(response.Head, SocketFlags.None, cancellationToken);
        if (response.Body.Length > 0)
        {
            await client.SendAsync(response.Body, SocketFlags.None, cancellationToken);
        }

        // Half-close, then read until the client closes too (a lingering close, as HTTP servers
        // do): closing a socket with unread input (a body, the rest of an oversized head) resets
        // the connection, and the reset can destroy the response before the client reads it.
        client.Shutdown(SocketShutdown.Send);
        long drained = 0;
        while (drained < MaxDrainBytes)
        {
            int read = await client.ReceiveAsync(buffer.AsMemory(0, MaxRequestHeadBytes), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return;
            }

            drained += read;
        }
    }
}
