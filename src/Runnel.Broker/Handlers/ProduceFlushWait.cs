using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using Runnel.Broker.Partitions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers;

/// <summary>
/// A produce request's wait for the fsyncs of the partitions it appended to (acks -1 with
/// <c>runnel.log.flush.on.acks.all</c>), one per connection and reused for each of its requests:
/// a connection serves one request at a time. An async method here cost a list and a state-machine
/// box per request; the box came back to a flush thread's cache, not the connection's, so the
/// pooling builder allocated it again almost every time (bench/RESULTS.md, session 14).
/// <para>Waits for the partitions in turn. A partition whose log went offline gets
/// KAFKA_STORAGE_ERROR in the response and the others are still waited for; any other failure
/// (the connection closing cancels the waits) fails the request. Continuations run inline where a
/// flush completes, as the log's waiters do.</para>
/// </summary>
internal sealed class ProduceFlushWait : IValueTaskSource<IApiMessage?>
{
    private readonly List<(Partition Partition, long Offset)> _waits = [];
    private readonly Action _onFlushed;
    private ManualResetValueTaskSourceCore<IApiMessage?> _core; // RunContinuationsAsynchronously = false
    private ProduceResponse? _response;
    private CancellationToken _cancellation;
    private ValueTaskAwaiter _pending;
    private int _next;

    public ProduceFlushWait() => _onFlushed = OnFlushed;

    /// <summary>Starts a request: forgets partitions a failed earlier request may have left.</summary>
    public void Begin() => _waits.Clear();

    /// <summary>Whether the request being served appended anything that must be flushed before its answer.</summary>
    public bool IsEmpty => _waits.Count == 0;

    /// <summary>Adds a partition whose records up to <paramref name="offset"/> must be flushed.</summary>
    public void Add(Partition partition, long offset) => _waits.Add((partition, offset));

    /// <summary>Waits for every added partition, then completes with <paramref name="response"/>.</summary>
    public ValueTask<IApiMessage?> WaitAsync(ProduceResponse response, CancellationToken cancellationToken)
    {
        _core.Reset();
        _response = response;
        _cancellation = cancellationToken;
        _next = 0;
        var version = _core.Version;
        Advance();
        return new ValueTask<IApiMessage?>(this, version);
    }

    private void Advance()
    {
        try
        {
            while (_next < _waits.Count)
            {
                var (partition, offset) = _waits[_next];
#pragma warning disable CA2012 // Consumed exactly once: its awaiter's result is read here or in OnFlushed.
                var awaiter = partition.Log.WaitForFlushAsync(offset, _cancellation).GetAwaiter();
#pragma warning restore CA2012
                if (!awaiter.IsCompleted)
                {
                    _pending = awaiter;
                    awaiter.UnsafeOnCompleted(_onFlushed);
                    return;
                }

                Finish(awaiter);
            }
        }
        catch (Exception ex)
        {
            Complete(null, ex);
            return;
        }

        Complete(_response, null);
    }

    private void OnFlushed()
    {
        var awaiter = _pending;
        _pending = default;
        try
        {
            Finish(awaiter);
        }
        catch (Exception ex)
        {
            Complete(null, ex);
            return;
        }

        Advance();
    }

    /// <summary>Reads one partition's flush result and moves to the next partition.</summary>
    private void Finish(ValueTaskAwaiter awaiter)
    {
        var partition = _waits[_next].Partition;
        _next++;
        try
        {
            awaiter.GetResult();
        }
        catch (LogOfflineException)
        {
            ProduceHandler.SetError(_response!, partition, ErrorCode.KafkaStorageError);
        }
    }

    /// <summary>
    /// Clears the wait before completing it: the continuation runs inline and may start the
    /// connection's next request, which reuses this object.
    /// </summary>
    private void Complete(ProduceResponse? response, Exception? error)
    {
        _waits.Clear();
        _response = null;
        _cancellation = default;
        if (error is null)
        {
            _core.SetResult(response);
        }
        else
        {
            _core.SetException(error);
        }
    }

    public IApiMessage? GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
