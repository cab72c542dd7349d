using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using Runnel.Protocol;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Cli.Kafka;

/// <summary>
/// One TCP connection that speaks Kafka's protocol with Runnel.Protocol's codecs, for tools that
/// need less than a Confluent.Kafka client (the wire producers of <c>runnel perf e2e</c>).
/// <list type="bullet">
/// <item>Setup: <see cref="RequestAsync{TResponse}"/> sends one request and awaits its response
/// (one at a time; it allocates, as setup may).</item>
/// <item>Pipelined use: the owner encodes frames with <see cref="WriteRequest"/>, sends them with
/// <see cref="Send"/> from one thread, and reads responses off <see cref="Reader"/> with
/// <see cref="TryReadFrame"/> and <see cref="ReadResponseHeader"/> in one receive loop.</item>
/// </list>
/// Sends are synchronous: the bytes are in the kernel when <see cref="Send"/> returns, so the caller
/// reuses its frame buffer at once, and a full socket buffer blocks the sender as Kafka's producer
/// blocks when its buffer is full (up to the send timeout). Reading and sending may run on different
/// threads; the owner disposes the connection after its receive loop has stopped.
/// </summary>
internal sealed class KafkaWireConnection : IAsyncDisposable
{
    /// <summary>The largest response accepted, as librdkafka's <c>receive.message.max.bytes</c> default (100 MB).</summary>
    private const int MaxResponseBytes = 100_000_000;

    private const int FrameSizeBytes = 4;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly TimeSpan _timeout;
    private int _nextCorrelationId;

    private KafkaWireConnection(Socket socket, string address, string clientId, TimeSpan timeout)
    {
        _timeout = timeout;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 1024, leaveOpen: true));
        Address = address;
        ClientId = clientId;
    }

    /// <summary>host:port, for messages.</summary>
    public string Address { get; }

    /// <summary>The <c>client.id</c> sent in every request header.</summary>
    public string ClientId { get; }

    /// <summary>Response bytes; read by one loop at a time.</summary>
    public PipeReader Reader { get; }

    /// <summary>
    /// Opens a connection with TCP_NODELAY on (as the Java clients always set it).
    /// <paramref name="timeout"/> bounds the connect, each <see cref="RequestAsync{TResponse}"/> and a
    /// blocked <see cref="Send"/>, as request.timeout.ms does in a Kafka client.
    /// </summary>
    public static async Task<KafkaWireConnection> ConnectAsync(string host, int port, string clientId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        BrokerAddress address = new(host, port);
        Socket socket = await ConnectSocketAsync(address, timeout, cancellationToken);
        socket.SendTimeout = (int)timeout.TotalMilliseconds;
        return new KafkaWireConnection(socket, address.ToString(), clientId, timeout);
    }

    /// <summary>
    /// A TCP socket connected to <paramref name="address"/> with TCP_NODELAY on, within
    /// <paramref name="timeout"/>; a refused or timed-out connect is a <see cref="ToolException"/>.
    /// Shared by the tools' protocol connections.
    /// </summary>
    public static async Task<Socket> ConnectSocketAsync(BrokerAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Socket socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, deadline.Token);
            return socket;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            socket.Dispose();
            throw new ToolException($"Error: cannot connect to {address}: {(e is SocketException ? e.Message : $"no connection within {timeout.TotalMilliseconds} ms")}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The next correlation id on this connection (one sending thread).</summary>
    public int NextCorrelationId() => _nextCorrelationId++;

    /// <summary>
    /// Sends one request and decodes its response at the same version; for setup, one request at a
    /// time. No answer within the connection's timeout is a <see cref="ToolException"/>.
    /// </summary>
    public async Task<TResponse> RequestAsync<TResponse>(IApiMessage request, short version, CancellationToken cancellationToken)
        where TResponse : IApiMessage, new()
    {
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            return await ExchangeAsync<TResponse>(request, version, deadline.Token);
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

    /// <summary>
    /// The highest version of <paramref name="api"/> from <paramref name="lowest"/> to
    /// <paramref name="highest"/> that the broker serves too. Asks with ApiVersions v0: every broker
    /// since Kafka 0.10 answers it, Kafka 4 included, and it carries the ranges, all that is needed here.
    /// </summary>
    public async Task<short> NegotiateVersionAsync(ApiKey api, short lowest, short highest, CancellationToken cancellationToken)
    {
        ApiVersionsResponse response = await RequestAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0, cancellationToken);
        return PickVersion(response, Address, api, lowest, highest);
    }

    /// <summary>
    /// The highest version of <paramref name="api"/> from <paramref name="lowest"/> to
    /// <paramref name="highest"/> that an ApiVersions answer from <paramref name="address"/> allows;
    /// a <see cref="ToolException"/> when it is an error or allows none.
    /// </summary>
    public static short PickVersion(ApiVersionsResponse response, string address, ApiKey api, short lowest, short highest)
    {
        if (response.ErrorCode != 0)
        {
            throw new ToolException($"Error: {address} answered ApiVersions with {(ErrorCode)response.ErrorCode}.");
        }

        foreach (ApiVersionsResponse.ApiVersion range in response.ApiKeys)
        {
            short version = Math.Min(highest, range.MaxVersion);
            if (range.ApiKey == (short)api && version >= Math.Max(lowest, range.MinVersion))
            {
                return version;
            }
        }

        throw new ToolException($"Error: {address} serves no version of {api} from v{lowest} to v{highest}.");
    }

    /// <summary>
    /// Encodes a request frame (4-byte size, header, body at the header's version) into
    /// <paramref name="buffer"/>, replacing it with a larger array from the shared pool when it is too
    /// small (an empty array is never returned to the pool). Returns the frame's length.
    /// </summary>
    public static int WriteRequest(RequestHeader header, IApiMessage body, ref byte[] buffer)
    {
        int size = header.GetSize() + body.GetSize(header.ApiVersion);
        int length = FrameSizeBytes + size;
        if (buffer.Length < length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(length);
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = larger;
        }

        ProtocolWriter writer = new(buffer.AsSpan(0, length));
        writer.WriteInt32(size);
        header.Write(ref writer);
        body.Write(ref writer, header.ApiVersion);
        return length;
    }

    /// <summary>Sends a whole frame; blocks while the socket's send buffer is full.</summary>
    public void Send(ReadOnlySpan<byte> frame)
    {
        while (!frame.IsEmpty)
        {
            frame = frame[_socket.Send(frame)..];
        }
    }

    /// <summary>
    /// Takes one whole response frame (without its size prefix) off the front of
    /// <paramref name="buffer"/>; false when the frame is not all there yet.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < FrameSizeBytes)
        {
            return false;
        }

        Span<byte> sizeBytes = stackalloc byte[FrameSizeBytes];
        buffer.Slice(0, FrameSizeBytes).CopyTo(sizeBytes);
        int size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (size is < sizeof(int) or > MaxResponseBytes)
        {
            throw new InvalidDataException($"A response frame of {size} bytes: not Kafka's protocol.");
        }

        if (buffer.Length - FrameSizeBytes < size)
        {
            return false;
        }

        frame = buffer.Slice(FrameSizeBytes, size);
        buffer = buffer.Slice(frame.End);
        return true;
    }

    /// <summary>
    /// Reads a response header (correlation id, then tagged fields when the response version is
    /// flexible, never for ApiVersions) and returns the correlation id.
    /// </summary>
    public static int ReadResponseHeader(ref ProtocolReader reader, ApiKey apiKey, short version)
    {
        int correlationId = reader.ReadInt32();
        if (ResponseHeader.IsFlexible(apiKey, version))
        {
            uint tags = reader.ReadUnsignedVarInt();
            for (uint i = 0; i < tags; i++)
            {
                reader.ReadUnsignedVarInt();
                reader.Skip(reader.ReadTaggedFieldSize());
            }
        }

        return correlationId;
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.CompleteAsync();
        await _stream.DisposeAsync();
    }

    private async Task<TResponse> ExchangeAsync<TResponse>(IApiMessage request, short version, CancellationToken cancellationToken)
        where TResponse : IApiMessage, new()
    {
        RequestHeader header = new() { ApiKey = (short)request.ApiKey, ApiVersion = version, CorrelationId = NextCorrelationId(), ClientId = ClientId };
        byte[] frame = [];
        try
        {
            int length = WriteRequest(header, request, ref frame);
            await _socket.SendAsync(frame.AsMemory(0, length), SocketFlags.None, cancellationToken);
        }
        finally
        {
            if (frame.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(frame);
            }
        }

        while (true)
        {
            ReadResult result = await Reader.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (TryReadFrame(ref buffer, out ReadOnlySequence<byte> response))
            {
                TResponse decoded = Decode<TResponse>(response.ToArray(), header.CorrelationId, request.ApiKey, version);
                Reader.AdvanceTo(buffer.Start);
                return decoded;
            }

            Reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new IOException($"{Address} closed the connection before answering.");
            }
        }
    }

    private static TResponse Decode<TResponse>(byte[] frame, int correlationId, ApiKey apiKey, short version)
        where TResponse : IApiMessage, new()
    {
        ProtocolReader reader = new(frame);
        int received = ReadResponseHeader(ref reader, apiKey, version);
        if (received != correlationId)
        {
            throw new InvalidDataException($"A response with correlation id {received}, expected {correlationId}.");
        }

        TResponse response = new();
        response.Read(ref reader, version);
        return response;
    }
}
