namespace Runnel.Broker.Partitions;

/// <summary>
/// Wakes long-polling fetches when a partition gets new data. A fetch registers its connection's
/// waiter before reading and unregisters it after; <see cref="Notify"/> signals every waiter
/// registered at that moment. With nobody registered an append costs one volatile read, and a
/// wait allocates nothing: the waiters are reused and the array only grows.
/// </summary>
public sealed class AppendNotifier
{
    private readonly Lock _lock = new();
    private IAppendWaiter[] _waiters = [];
    private int _count;

    /// <summary>How many waiters are registered (for tests: a finished wait leaves none behind).</summary>
    internal int WaiterCount => Volatile.Read(ref _count);

    public void Register(IAppendWaiter waiter)
    {
        lock (_lock)
        {
            if (_count == _waiters.Length)
            {
                Array.Resize(ref _waiters, Math.Max(4, _count * 2));
            }

            _waiters[_count] = waiter;
            Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>Removes the waiter; once this returns, <see cref="Notify"/> no longer signals it.</summary>
    public void Unregister(IAppendWaiter waiter)
    {
        lock (_lock)
        {
            for (var i = _count - 1; i >= 0; i--)
            {
                if (ReferenceEquals(_waiters[i], waiter))
                {
                    var last = _count - 1;
                    _waiters[i] = _waiters[last];
                    _waiters[last] = null!;
                    Volatile.Write(ref _count, last);
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Signals the registered waiters. Called after an append, outside the log's lock; a signal
    /// only marks the waiter and queues its fetch, so holding this lock while signalling is short.
    /// </summary>
    public void Notify()
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        lock (_lock)
        {
            for (var i = 0; i < _count; i++)
            {
                _waiters[i].OnAppended();
            }
        }
    }
}
