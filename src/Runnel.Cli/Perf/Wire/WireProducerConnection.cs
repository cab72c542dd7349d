using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using Runnel.Cli.Kafka;
using Runnel.Protocol;
using Runnel.Protocol.Primitives;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// One wire producer's connection to one leader broker: Produce requests go out from the event-loop
/// thread (<see cref="Send"/>), responses are read by this connection's own receive loop.
/// </summary>
/// <remarks>
/// The requests in flight are a ring of at most max.in.flight.requests.per.connection entries under
/// a short lock: the event loop adds an entry before it writes the request (so the response cannot
/// come first), and only the receive loop removes entries, after reporting their outcome, so a
/// free slot or an empty ring means every outcome before it has been counted. Kafka answers the
/// requests of a connection in order, so each response must carry the oldest entry's correlation id.
/// A failure (the broker closes, a malformed response, a send that fails, no answer in time) fails
/// every request still in flight on this connection: the receive loop is woken with
/// <see cref="PipeReader.CancelPendingRead"/> and does it, so outcomes are reported by it alone.
/// There are no retries, as a producer with retries=0 would do.
/// </remarks>
internal sealed class WireProducerConnection : IAsyncDisposable
{
    private readonly KafkaWireConnection _connection;
    private readonly WireProducers _owner;
    private readonly IProduceOutcomes _outcomes;
    private readonly Lock _lock = new();
    private readonly InFlightRequest[] _inFlight;
    private int _head;
    private int _count;
    private string? _closedReason;
    private string? _abortReason;
    private Task _receiving = Task.CompletedTask;

    public WireProducerConnection(KafkaWireConnection connection, short produceVersion, int producer, int maxInFlight, WireProducers owner, IProduceOutcomes outcomes)
    {
        _connection = connection;
        ProduceVersion = produceVersion;
        Producer = producer;
        _inFlight = new InFlightRequest[maxInFlight];
        _owner = owner;
        _outcomes = outcomes;
    }

    /// <summary>The Produce version negotiated with this broker.</summary>
    public short ProduceVersion { get; }

    /// <summary>The index of the producer this connection belongs to.</summary>
    public int Producer { get; }

    /// <summary>Requests sent and not yet answered (or failed).</summary>
    public int InFlight => Volatile.Read(ref _count);

    /// <summary>True when another request may go out now.</summary>
    public bool HasRoom => InFlight < _inFlight.Length;

    public string Address => _connection.Address;

    /// <summary>The next correlation id (event-loop thread only).</summary>
    public int NextCorrelationId() => _connection.NextCorrelationId();

    public void StartReceiving() => _receiving = ReceiveAsync();

    /// <summary>
    /// Sends a Produce request of <paramref name="records"/> records for <paramref name="partition"/>
    /// (the caller has checked <see cref="HasRoom"/>). A send that fails ends the connection and the run.
    /// </summary>
    public void Send(ReadOnlySpan<byte> frame, int correlationId, int partition, int records)
    {
        lock (_lock)
        {
            if (_closedReason is not null)
            {
                // The receive loop has ended: nobody would read the answer.
                throw new ToolException(_closedReason);
            }

            _inFlight[(_head + _count) % _inFlight.Length] = new InFlightRequest(correlationId, partition, records, Stopwatch.GetTimestamp());
            _count++;
        }

        try
        {
            _connection.Send(frame);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            string reason = $"sending to {Address} failed: {e.Message}";
            Abort(reason);
            throw new ToolException(reason, e);
        }
    }

    /// <summary>Fails every request in flight with <paramref name="reason"/> and stops receiving; the receive loop reports them.</summary>
    public void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _abortReason, reason, null);
        _connection.Reader.CancelPendingRead();
    }

    /// <summary>Stops the receive loop (anything still in flight fails) and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        Abort($"the connection to {Address} closed before a response arrived");
        await _receiving;
        await _connection.DisposeAsync();
    }

    private async Task ReceiveAsync()
    {
        PipeReader reader = _connection.Reader;
        string? failure = null;
        try
        {
            while (failure is null)
            {
                ReadResult result = await reader.ReadAsync();
                if (result.IsCanceled)
                {
                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                while (KafkaWireConnection.TryReadFrame(ref buffer, out ReadOnlySequence<byte> frame))
                {
                    Complete(frame);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    failure = $"{Address} closed the connection";
                }
            }
        }
        catch (Exception e)
        {
            // Socket errors, a malformed response (InvalidDataException, ProtocolException) or anything
            // unexpected: all end this connection the same way.
            failure = $"the connection to {Address} failed: {e.Message}";
        }
        finally
        {
            // Whatever ended the loop, nothing more is read here: fail what is in flight (so the event
            // loop's wait for responses ends) and refuse further sends.
            string reason = failure ?? Volatile.Read(ref _abortReason) ?? $"the connection to {Address} closed";
            lock (_lock)
            {
                _closedReason = reason;
            }

            if (failure is not null)
            {
                // The broker or the protocol broke the connection: without retries the run cannot go on.
                _owner.OnConnectionFailed(failure);
            }

            FailInFlight(reason);
        }
    }

    /// <summary>Reports one response's outcome, then frees its slot.</summary>
    private void Complete(in ReadOnlySequence<byte> frame)
    {
        byte[]? rented = null;
        ReadOnlyMemory<byte> response = frame.IsSingleSegment ? frame.First : CopyToPooled(frame, out rented);
        try
        {
            InFlightRequest request;
            lock (_lock)
            {
                request = _count > 0 ? _inFlight[_head] : throw new InvalidDataException("A response to no request.");
            }

            ProtocolReader reader = new(response);
            int correlationId = KafkaWireConnection.ReadResponseHeader(ref reader, ApiKey.Produce, ProduceVersion);
            if (correlationId != request.CorrelationId)
            {
                throw new InvalidDataException($"A response with correlation id {correlationId}, expected {request.CorrelationId}.");
            }

            int body = reader.Position;
            ErrorCode error = SinglePartitionProduceResponse.ReadErrorCode(ref reader, ProduceVersion, request.Partition);
            if (error == ErrorCode.None)
            {
                _outcomes.Acknowledged(Producer, request.Records, request.SentAt);
            }
            else
            {
                _outcomes.Failed(Producer, request.Records, error.ToString(), SinglePartitionProduceResponse.ReadErrorMessage(response[body..], ProduceVersion));
            }

            lock (_lock)
            {
                _head = (_head + 1) % _inFlight.Length;
                _count--;
            }

            _owner.OnRequestCompleted(Producer);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void FailInFlight(string reason)
    {
        while (true)
        {
            InFlightRequest request;
            lock (_lock)
            {
                if (_count == 0)
                {
                    return;
                }

                request = _inFlight[_head];
            }

            _outcomes.Failed(Producer, request.Records, "NetworkException", reason);
            lock (_lock)
            {
                _head = (_head + 1) % _inFlight.Length;
                _count--;
            }

            _owner.OnRequestCompleted(Producer);
        }
    }

    /// <summary>A frame split across pipe segments is copied once into a pooled buffer (the caller returns it).</summary>
    private static ReadOnlyMemory<byte> CopyToPooled(in ReadOnlySequence<byte> frame, out byte[] rented)
    {
        int length = (int)frame.Length;
        rented = ArrayPool<byte>.Shared.Rent(length);
        frame.CopyTo(rented);
        return rented.AsMemory(0, length);
    }

    /// <summary>A request awaiting its response: what to check it against and to count.</summary>
    /// <summary>A request awaiting its response; <c>SentAt</c> is the Stopwatch time it was handed to the socket.</summary>
    private readonly record struct InFlightRequest(int CorrelationId, int Partition, int Records, long SentAt);
}
