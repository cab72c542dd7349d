using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Runnel.Broker.Pipeline;
using Runnel.Protocol.Framing;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Network;

/// <summary>
/// One client connection: frames requests off the socket with System.IO.Pipelines, dispatches
/// them one at a time (so responses leave in request order, as Kafka guarantees) and writes the
/// responses. The reader only pulls more bytes when we ask for them, which pushes back on a client
/// that sends faster than the broker serves. Any protocol violation closes this connection only.
/// </summary>
internal sealed class KafkaConnection
{
    private readonly long _id;
    private readonly Socket _socket;
    private readonly RequestDispatcher _dispatcher;
    private readonly ConnectionLimits _limits;
    private readonly ListenerInfo _listener;
    private readonly BrokerNetworkMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ILogger _badRequests;
    private readonly TimeProvider _time;

    public KafkaConnection(long id, Socket socket, ListenerInfo listener, RequestDispatcher dispatcher, ConnectionLimits limits, BrokerNetworkMetrics metrics, ILoggerFactory loggers, TimeProvider time)
    {
        _id = id;
        _socket = socket;
        _listener = listener;
        _dispatcher = dispatcher;
        _limits = limits;
        _metrics = metrics;
        _time = time;
        _logger = loggers.CreateLogger<KafkaConnection>();
        _badRequests = loggers.CreateLogger("Runnel.Broker.BadRequests");
    }

    public async Task RunAsync(CancellationToken brokerStopping)
    {
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(brokerStopping);
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
        var context = new RequestContext(_id, _listener, _socket.RemoteEndPoint) { ConnectionClosed = closed.Token };
        using var idle = new CancellationTokenSource(_limits.ConnectionsMaxIdle, _time);
        using var idleLink = CancellationTokenSource.CreateLinkedTokenSource(closed.Token, idle.Token);
        string? closeReason = null;
        try
        {
            while (closeReason is null)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(idleLink.Token);
                }
                catch (OperationCanceledException) when (idle.IsCancellationRequested && !brokerStopping.IsCancellationRequested)
                {
                    Log.IdleTimeout(_logger, _id);
                    break;
                }

                // A request's time starts when its bytes arrive: one behind another on the
                // connection waits for it, and that wait is part of what the client sees.
                var received = Stopwatch.GetTimestamp();
                var buffer = result.Buffer;
                while (closeReason is null)
                {
                    if (!TryGetFrame(buffer, out var frame, out closeReason))
                    {
                        break;
                    }

                    // Served here, not in an async method per request: one state machine for the
                    // connection's life. A per-request method's pooled box came back to whichever
                    // thread finished it (a flush thread, under fsync before ack) and was allocated
                    // again for the next request (bench/RESULTS.md, session 14).
                    var memory = SingleSpan(frame, out var rented);
                    try
                    {
                        // A frame holds at least a request header (TryGetFrame refuses fewer than 8
                        // bytes): its first two bytes are the API key.
                        var apiKey = BinaryPrimitives.ReadInt16BigEndian(memory.Span);
                        _metrics.Request(apiKey);
                        if (_dispatcher.Dispatch(context, memory, out var served) is { } pending)
                        {
                            served = RequestDispatcher.Complete(context, pending, await pending.Answer);
                        }

                        closeReason = served.CloseReason;
                        if (closeReason is null)
                        {
                            if (served.Response is not null)
                            {
                                WriteResponse(writer, served);
                                await writer.FlushAsync(context.ConnectionClosed);
                            }

                            _metrics.RequestCompleted(apiKey, Stopwatch.GetElapsedTime(received));
                        }
                    }
                    finally
                    {
                        context.ReleaseResources();
                        if (rented is not null)
                        {
                            FrameBufferPool.Shared.Return(rented);
                        }
                    }

                    buffer = buffer.Slice(frame.End);
                }

                // Consumed up to the first unserved frame; examined everything, so the next read
                // waits for more bytes instead of returning the same partial frame again.
                reader.AdvanceTo(buffer.Start, result.Buffer.End);
                idle.CancelAfter(_limits.ConnectionsMaxIdle);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested)
        {
            // Broker shutting down.
        }
        catch (IOException ex)
        {
            Log.ConnectionError(_logger, _id, ex.Message);
        }
        catch (SocketException ex)
        {
            Log.ConnectionError(_logger, _id, ex.Message);
        }
        finally
        {
            if (closeReason is not null)
            {
                _metrics.BadRequest();
                Log.ClosingBadRequest(_badRequests, _id, context.ClientId, closeReason);
            }

            await closed.CancelAsync();
            await reader.CompleteAsync();
            try
            {
                // Completing flushes what is buffered; a peer that already hung up makes that fail,
                // which is an ordinary disconnect, not a broker fault.
                await writer.CompleteAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                Log.ConnectionError(_logger, _id, ex.Message);
            }
        }
    }

    /// <summary>
    /// The frame as one span: frames that span pipe segments are copied once into a pooled buffer
    /// (<paramref name="rented"/>, returned by the caller) so the decoder works on one span; records
    /// fields stay slices of that buffer.
    /// </summary>
    private static ReadOnlyMemory<byte> SingleSpan(in ReadOnlySequence<byte> frame, out byte[]? rented)
    {
        if (frame.IsSingleSegment)
        {
            rented = null;
            return frame.First;
        }

        var length = (int)frame.Length;
        rented = FrameBufferPool.Shared.Rent(length);
        frame.CopyTo(rented);
        return rented.AsMemory(0, length);
    }

    private static void WriteResponse(PipeWriter writer, in DispatchResult result)
    {
        var flexibleHeader = ResponseHeader.IsFlexible(result.ApiKey, result.Version);
        var bodySize = result.Response!.GetSize(result.Version);
        var size = ResponseHeader.GetSize(flexibleHeader) + bodySize;
        var span = writer.GetSpan(4 + size)[..(4 + size)];
        var w = new ProtocolWriter(span);
        w.WriteInt32(size);
        ResponseHeader.Write(ref w, result.CorrelationId, flexibleHeader);
        result.Response.Write(ref w, result.Version);
        writer.Advance(4 + size);
    }

    private bool TryGetFrame(ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame, out string? closeReason)
    {
        frame = default;
        closeReason = null;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> sizeBytes = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(sizeBytes);
        var size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (size < 8 || size > _limits.SocketRequestMaxBytes)
        {
            closeReason = size < 8
                ? $"request size {size} is too small for a request header"
                : $"request size {size} exceeds socket.request.max.bytes ({_limits.SocketRequestMaxBytes})";
            return false;
        }

        if (buffer.Length < 4L + size)
        {
            return false;
        }

        frame = buffer.Slice(4, size);
        return true;
    }
}
