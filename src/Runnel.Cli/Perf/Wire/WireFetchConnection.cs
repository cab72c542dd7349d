using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Runnel.Cli.Kafka;
using Runnel.Protocol;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// One connection of <c>runnel perf consume --wire</c> to a partition leader: one request at a time,
/// each response read whole into one reused buffer (grown as needed, up to librdkafka's
/// <c>receive.message.max.bytes</c> default) and decoded from it, so a fetch of many megabytes costs
/// one decode and no copy beyond the socket's. Responses decoded here hold slices of that buffer
/// (a fetch's records) and are valid until the next request.
/// </summary>
internal sealed class WireFetchConnection : IDisposable
{
    /// <summary>The largest response accepted: librdkafka's <c>receive.message.max.bytes</c> default (100 MB).</summary>
    private const int MaxResponseBytes = 100_000_000;

    private readonly Socket _socket;
    private readonly string _clientId;
    private readonly TimeSpan _timeout;
    private byte[] _request = [];
    private byte[] _response = new byte[64 * 1024];
    private int _nextCorrelationId;

    private WireFetchConnection(Socket socket, BrokerAddress address, string clientId, TimeSpan timeout)
    {
        _socket = socket;
        Address = address;
        _clientId = clientId;
        _timeout = timeout;
    }

    public BrokerAddress Address { get; }

    /// <summary>Connects with TCP_NODELAY, as Kafka's clients do; <paramref name="timeout"/> bounds the connect and every exchange.</summary>
    public static async Task<WireFetchConnection> ConnectAsync(BrokerAddress address, string clientId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Socket socket = await KafkaWireConnection.ConnectSocketAsync(address, timeout, cancellationToken);
        return new WireFetchConnection(socket, address, clientId, timeout);
    }

    /// <summary>The highest version of <paramref name="api"/> in [<paramref name="lowest"/>, <paramref name="highest"/>] the broker serves (ApiVersions v0).</summary>
    public async Task<short> NegotiateVersionAsync(ApiKey api, short lowest, short highest, CancellationToken cancellationToken)
    {
        ApiVersionsResponse versions = new();
        await ExchangeAsync(new ApiVersionsRequest(), versions, 0, cancellationToken);
        return KafkaWireConnection.PickVersion(versions, Address.ToString(), api, lowest, highest);
    }

    /// <summary>
    /// Sends <paramref name="request"/> and decodes the answer into <paramref name="response"/>
    /// (reused: a generated <c>Read</c> assigns every field). No answer within the timeout, a closed
    /// connection or an undecodable response is a <see cref="ToolException"/>.
    /// </summary>
    public async Task ExchangeAsync(IApiMessage request, IApiMessage response, short version, CancellationToken cancellationToken)
    {
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            int correlationId = _nextCorrelationId++;
            RequestHeader header = new() { ApiKey = (short)request.ApiKey, ApiVersion = version, CorrelationId = correlationId, ClientId = _clientId };
            int length = KafkaWireConnection.WriteRequest(header, request, ref _request);
            await _socket.SendAsync(_request.AsMemory(0, length), SocketFlags.None, deadline.Token);

            await ReceiveExactlyAsync(_response.AsMemory(0, 4), deadline.Token);
            int size = BinaryPrimitives.ReadInt32BigEndian(_response);
            if (size is < sizeof(int) or > MaxResponseBytes)
            {
                throw new InvalidDataException($"A response frame of {size} bytes: not Kafka's protocol.");
            }

            if (_response.Length < size)
            {
                _response = new byte[Math.Max(size, Math.Min(MaxResponseBytes, _response.Length * 2))];
            }

            await ReceiveExactlyAsync(_response.AsMemory(0, size), deadline.Token);
            ProtocolReader reader = new(_response.AsMemory(0, size));
            int received = KafkaWireConnection.ReadResponseHeader(ref reader, request.ApiKey, version);
            if (received != correlationId)
            {
                throw new InvalidDataException($"A response with correlation id {received}, expected {correlationId}.");
            }

            response.Read(ref reader, version);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ToolException($"Error: {Address} did not answer {request.ApiKey} within {_timeout.TotalMilliseconds} ms.", e);
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ProtocolException)
        {
            throw new ToolException($"Error: {request.ApiKey} to {Address} failed: {e.Message}", e);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_request.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_request);
            _request = [];
        }
    }

    private async Task ReceiveExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            int read = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"{Address} closed the connection.");
            }

            buffer = buffer[read..];
        }
    }
}
