using System.Threading.Tasks.Sources;
using Runnel.Broker.Partitions;

namespace Runnel.Broker.Fetch;

/// <summary>
/// A connection's long-poll wait, reused by every fetch on it that waits (a connection serves one
/// request at a time). One wait ends at the first of: an append to a watched partition, the
/// deadline, the connection closing. It replaces a task per partition, a <c>Task.Delay</c>, a
/// linked token source and <c>Task.WhenAny</c> per wait, and their thread-pool hops: a signal
/// queues the fetch's continuation once, and nothing is allocated.
/// </summary>
/// <remarks>
/// Every <see cref="Arm"/> is matched by exactly one completion, consumed by exactly one await,
/// before the next <see cref="Arm"/> resets the source: <see cref="Signal"/> completes it only if
/// it wins the armed flag, and <see cref="StopAsync"/>, ending a wait that was not awaited (or an
/// exception), either takes the flag back (no completion will come) or awaits the completion a
/// signal is delivering. Only the fetch calls the methods here, one at a time; signals come from
/// appends, the timer and the connection's token on other threads.
/// A signal that arrives late (a timer firing after the data came) can end the next wait early;
/// the fetch then reads again and waits for what is left of its time.
/// </remarks>
internal sealed class FetchWaiter : IAppendWaiter, IValueTaskSource
{
    private readonly List<AppendNotifier> _watched = [];
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = true };
    private ITimer? _timer;
    private int _armed;
    private bool _active;

    /// <summary>
    /// Creates the deadline timer and wakes a wait when the connection closes; once per connection.
    /// Neither is disposed: the timer is stopped after every wait (a stopped timer is referenced by
    /// this waiter alone), and the registration ends with the connection's token source.
    /// </summary>
    public void Bind(TimeProvider time, CancellationToken connectionClosed)
    {
        if (_timer is not null)
        {
            return;
        }

        _timer = time.CreateTimer(static state => ((FetchWaiter)state!).Signal(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        connectionClosed.UnsafeRegister(static state => ((FetchWaiter)state!).Signal(), this);
    }

    /// <summary>Starts a wait; from here on an append to a partition given to <see cref="Watch"/> ends it.</summary>
    public void Arm()
    {
        _completion.Reset();
        _active = true;
        Volatile.Write(ref _armed, 1);
    }

    public void Watch(AppendNotifier notifier)
    {
        notifier.Register(this);
        _watched.Add(notifier);
    }

    public bool IsWatching => _watched.Count > 0;

    /// <summary>Waits for an append, the deadline or the connection closing; then call <see cref="EndWait"/>.</summary>
    public ValueTask WaitAsync(TimeSpan timeout)
    {
        _timer!.Change(timeout, Timeout.InfiniteTimeSpan);
        return new ValueTask(this, _completion.Version);
    }

    public void EndWait()
    {
        _timer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Unwatch();
        _active = false;
    }

    /// <summary>
    /// Ends a wait that was armed but not awaited (the read found enough, or failed): completes at
    /// once unless a signal is being delivered. Does nothing when no wait is open.
    /// </summary>
    public ValueTask StopAsync()
    {
        if (!_active)
        {
            return default;
        }

        Unwatch();
        _active = false;
        return Interlocked.Exchange(ref _armed, 0) == 1 ? default : new ValueTask(this, _completion.Version);
    }

    public void OnAppended() => Signal();

    private void Signal()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _completion.SetResult(true);
        }
    }

    private void Unwatch()
    {
        foreach (var notifier in _watched)
        {
            notifier.Unregister(this);
        }

        _watched.Clear();
    }

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
