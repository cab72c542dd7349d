using System.Threading.Tasks.Sources;

namespace Runnel.Storage.Log;

/// <summary>
/// One wait for an fsync (<see cref="PartitionLog.WaitForFlushAsync"/>), recycled by its log: with
/// fsync before ack every produce request waits, and a <see cref="TaskCompletionSource"/>, a
/// cancellable <c>WaitAsync</c> and an async method's box per wait were ~400 bytes per request,
/// and their gen0 collections landed in the latency tail (bench/RESULTS.md, session 14).
/// <para>Completed once, by whoever gets there first: the flush that covers <see cref="Offset"/>
/// (continuations run inline, on the flush thread), a failure (handed to the thread pool by the
/// log) or the waiter's cancellation token. It goes back to its log's pool when the awaiter reads
/// the result, unless its token completed it: the log's waiter list may still hold it then, so it
/// is left to the garbage collector.</para>
/// </summary>
internal sealed class FlushWaiter : IValueTaskSource
{
    private static readonly Action<object?> s_cancel = static state => ((FlushWaiter)state!).Cancel();

    private readonly PartitionLog _log;
    private ManualResetValueTaskSourceCore<bool> _core; // RunContinuationsAsynchronously = false
    private CancellationTokenRegistration _cancellation;
    private CancellationToken _token;
    private int _completed;
    private bool _cancelled;

    public FlushWaiter(PartitionLog log) => _log = log;

    /// <summary>The offset that must be flushed.</summary>
    public long Offset { get; private set; }

    /// <summary>Readies a new or recycled waiter for <paramref name="offset"/>.</summary>
    public void Arm(long offset)
    {
        _core.Reset();
        _completed = 0;
        _cancelled = false;
        _cancellation = default;
        _token = default;
        Offset = offset;
    }

    /// <summary>
    /// The awaitable. Called once per <see cref="Arm"/>, after the waiter is registered with its log,
    /// so a flush may already have completed it (then <paramref name="cancellationToken"/> is not needed).
    /// </summary>
    public ValueTask Start(CancellationToken cancellationToken)
    {
        var version = _core.Version;
        if (cancellationToken.CanBeCanceled)
        {
            _token = cancellationToken;
            _cancellation = cancellationToken.UnsafeRegister(s_cancel, this);
        }

        return new ValueTask(this, version);
    }

    /// <summary>Completes the wait (with <paramref name="error"/> if given) unless it is already complete.</summary>
    public bool TryComplete(Exception? error = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        if (error is null)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(error);
        }

        return true;
    }

    private void Cancel()
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return;
        }

        _cancelled = true; // read by GetResult after the completion below, which publishes it
        _core.SetException(new OperationCanceledException(_token));
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            if (!_cancelled)
            {
                // Waits for a cancellation callback that lost the race to finish, so none can touch
                // the waiter once it is reused.
                _cancellation.Dispose();
                _log.ReturnFlushWaiter(this);
            }
        }
    }
}
