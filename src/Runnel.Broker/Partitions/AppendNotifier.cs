namespace Runnel.Broker.Partitions;

/// <summary>
/// Wakes long-polling fetches when a partition gets new data. A waiter takes the current task;
/// <see cref="Notify"/> completes it and starts a new generation. The task is only allocated when
/// someone waits, so appends with no waiting fetch cost one volatile read.
/// </summary>
public sealed class AppendNotifier
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiters;

    /// <summary>A task that completes at the next <see cref="Notify"/>.</summary>
    public Task WaitAsync()
    {
        lock (_lock)
        {
            return (_waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    public void Notify()
    {
        if (Volatile.Read(ref _waiters) is null)
        {
            return;
        }

        TaskCompletionSource? waiters;
        lock (_lock)
        {
            waiters = _waiters;
            _waiters = null;
        }

        waiters?.TrySetResult();
    }
}
