using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Runnel.TestKit;

/// <summary>
/// A TCP proxy between Kafka clients and one broker that can cut a connection after the broker has
/// answered a request and before the answer reaches the client, so the client never learns that the
/// request succeeded and sends it again: the fault idempotent producers exist for. Start it first,
/// give the broker <c>advertised.listeners</c> with <see cref="Port"/> so clients keep coming back
/// through it, then <see cref="ConnectTo"/> the broker.
/// </summary>
public sealed class ResponseDroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private int _brokerPort;
    private int _dropped;
    private Task? _acceptLoop;

    private ResponseDroppingProxy()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
    }

    /// <summary>The port clients connect to.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Decides per response, by the request's API key, whether to cut the connection instead of forwarding it.</summary>
    public Func<short, bool> DropResponse { get; set; } = static _ => false;

    /// <summary>Responses dropped so far.</summary>
    public int DroppedResponses => Volatile.Read(ref _dropped);

    public static ResponseDroppingProxy Start() => new();

    /// <summary>Starts forwarding accepted connections to the broker on 127.0.0.1:<paramref name="brokerPort"/>.</summary>
    public void ConnectTo(int brokerPort)
    {
        _brokerPort = brokerPort;
        _acceptLoop = Task.Run(AcceptAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var broker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _sockets.Add(client);
        _sockets.Add(broker);
        using (client)
        {
            try
            {
                await broker.ConnectAsync(IPAddress.Loopback, _brokerPort, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return;
            }

            var apiKeys = new ConcurrentDictionary<int, short>();
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var requests = PumpAsync(client, broker, frame =>
            {
                // Request header: api key (int16), api version (int16), correlation id (int32).
                apiKeys[BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4))] = BinaryPrimitives.ReadInt16BigEndian(frame);
                return true;
            }, cut.Token);
            var responses = PumpAsync(broker, client, frame =>
            {
                var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
                if (apiKeys.TryRemove(correlationId, out var apiKey) && DropResponse(apiKey))
                {
                    Interlocked.Increment(ref _dropped);
                    return false;
                }

                return true;
            }, cut.Token);
            await Task.WhenAny(requests, responses);
            await cut.CancelAsync();
            client.Close();
            broker.Close();
            await Task.WhenAll(requests, responses);
        }
    }

    /// <summary>Copies size-prefixed frames from <paramref name="from"/> to <paramref name="to"/> while <paramref name="forward"/> says so.</summary>
    private static async Task PumpAsync(Socket from, Socket to, Func<byte[], bool> forward, CancellationToken cancellationToken)
    {
        var size = new byte[4];
        try
        {
            while (true)
            {
                await ReceiveExactlyAsync(from, size, cancellationToken);
                var length = BinaryPrimitives.ReadInt32BigEndian(size);
                if (length is < 8 or > 64 * 1024 * 1024)
                {
                    return;
                }

                var frame = new byte[length];
                await ReceiveExactlyAsync(from, frame, cancellationToken);
                if (!forward(frame))
                {
                    return;
                }

                await to.SendAsync(size, SocketFlags.None, cancellationToken);
                await to.SendAsync(frame, SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            // Either side went away: the connection ends.
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            read += n;
        }
    }
}
