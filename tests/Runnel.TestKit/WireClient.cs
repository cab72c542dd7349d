using System.Buffers.Binary;
using System.Net.Sockets;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Primitives;

namespace Runnel.TestKit;

/// <summary>
/// A minimal Kafka wire client for tests: sends requests encoded with the generated messages (or
/// raw bytes, for malformed-input tests) and reads framed responses.
/// </summary>
public sealed class WireClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private int _correlationId;

    private WireClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<WireClient> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port, cancellationToken);
        return new WireClient(tcp);
    }

    /// <summary>Encodes a full request frame (size, header, body).</summary>
    public static byte[] EncodeRequest(IApiMessage request, short version, int correlationId, string? clientId = "runnel-wire-test")
    {
        var header = new RequestHeader { ApiKey = (short)request.ApiKey, ApiVersion = version, CorrelationId = correlationId, ClientId = clientId };
        var size = header.GetSize() + request.GetSize(version);
        var frame = new byte[4 + size];
        var writer = new ProtocolWriter(frame);
        writer.WriteInt32(size);
        header.Write(ref writer);
        request.Write(ref writer, version);
        return frame;
    }

    /// <summary>Sends a request and decodes the response at <paramref name="responseVersion"/> (default: the request version).</summary>
    public async Task<TResponse> SendAsync<TResponse>(IApiMessage request, short version, short? responseVersion = null, CancellationToken cancellationToken = default)
        where TResponse : IApiMessage, new()
    {
        var correlationId = Interlocked.Increment(ref _correlationId);
        await SendRawAsync(EncodeRequest(request, version, correlationId), cancellationToken);
        var body = await ReadFrameAsync(cancellationToken) ?? throw new IOException("The broker closed the connection.");
        var reader = new ProtocolReader(body);
        var gotCorrelation = reader.ReadInt32();
        if (gotCorrelation != correlationId)
        {
            throw new InvalidDataException($"correlation id {gotCorrelation}, expected {correlationId}");
        }

        var decodeVersion = responseVersion ?? version;
        var response = new TResponse();
        if (ResponseHeader.IsFlexible(response.ApiKey, decodeVersion))
        {
            var tags = reader.ReadUnsignedVarInt();
            for (uint i = 0; i < tags; i++)
            {
                reader.ReadUnsignedVarInt();
                reader.Skip(reader.ReadTaggedFieldSize());
            }
        }

        response.Read(ref reader, decodeVersion);
        return response;
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one response frame (without its size prefix); null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        var sizeBytes = new byte[4];
        if (!await ReadExactlyOrEndAsync(sizeBytes, cancellationToken))
        {
            return null;
        }

        var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        var body = new byte[size];
        return await ReadExactlyOrEndAsync(body, cancellationToken) ? body : null;
    }

    /// <summary>True when the broker has closed the connection (reads return end of stream) within the timeout.</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var buffer = new byte[1];
            while (true)
            {
                var read = await _stream.ReadAsync(buffer, cts.Token);
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            }
            catch (IOException)
            {
                return false;
            }

            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
