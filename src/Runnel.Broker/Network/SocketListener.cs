using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Runnel.Broker.Pipeline;

namespace Runnel.Broker.Network;

/// <summary>
/// Accepts TCP connections on one listener and runs a <see cref="KafkaConnection"/> for each.
/// TLS and SASL will wrap the accepted socket's stream here (the seam is <see cref="KafkaConnection"/>'s
/// stream), without changing the request pipeline.
/// </summary>
internal sealed class SocketListener : IAsyncDisposable
{
    private static long s_nextConnectionId;

    private readonly Socket _socket;
    private readonly RequestDispatcher _dispatcher;
    private readonly ConnectionLimits _limits;
    private readonly BrokerNetworkMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private Task? _acceptLoop;

    private SocketListener(Socket socket, ListenerInfo info, RequestDispatcher dispatcher, ConnectionLimits limits, BrokerNetworkMetrics metrics, ILoggerFactory loggers, TimeProvider time)
    {
        _socket = socket;
        Info = info;
        _dispatcher = dispatcher;
        _limits = limits;
        _metrics = metrics;
        _loggers = loggers;
        _logger = loggers.CreateLogger<SocketListener>();
        _time = time;
    }

    public ListenerInfo Info { get; }

    /// <summary>Binds (port 0 picks a free port, reported in <see cref="Info"/>) and starts accepting.</summary>
    public static SocketListener Start(string name, IPEndPoint endPoint, string? advertisedHost, int advertisedPort, RequestDispatcher dispatcher, ConnectionLimits limits, BrokerNetworkMetrics metrics, ILoggerFactory loggers, TimeProvider time)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(512);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        var host = advertisedHost ?? bound.Address.ToString();
        var info = new ListenerInfo(name, bound, host, advertisedPort == 0 ? bound.Port : advertisedPort);
        var listener = new SocketListener(socket, info, dispatcher, limits, metrics, loggers, time);
        Log.Listening(listener._logger, name, bound.ToString());
        listener._acceptLoop = AcceptLoop.RunAsync(socket, listener.Accepted, listener._stopping.Token);
        return listener;
    }

    private void Accepted(Socket client)
    {
        if (_metrics.ActiveConnections >= _limits.MaxConnections)
        {
            _metrics.ConnectionRejected();
            Log.TooManyConnections(_logger, client.RemoteEndPoint?.ToString(), _limits.MaxConnections);
            client.Dispose();
            return;
        }

        client.NoDelay = true;
        var id = Interlocked.Increment(ref s_nextConnectionId);
        _metrics.ConnectionOpened();
        Log.ConnectionOpened(_logger, id, client.RemoteEndPoint?.ToString());
        var connection = new KafkaConnection(id, client, Info, _dispatcher, _limits, _metrics, _loggers, _time);
        _connections[id] = RunConnectionAsync(id, connection);
    }

    private async Task RunConnectionAsync(long id, KafkaConnection connection)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(_stopping.Token);
        }
        catch (Exception ex)
        {
            // A bug in one connection must not take the broker down.
            Log.ConnectionFailed(_logger, id, ex);
        }
        finally
        {
            _metrics.ConnectionClosed();
            _connections.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _socket.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        await Task.WhenAll(_connections.Values);
        _stopping.Dispose();
    }
}
