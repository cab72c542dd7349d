namespace Runnel.Broker.Coordination;

/// <summary>
/// When a coordinator loads its state. A broker whose internal topic exists loads it at start; one
/// without it waits for the first request that needs the coordinator, as Kafka creates
/// <c>__consumer_offsets</c> and <c>__transaction_state</c> on first use rather than at startup. So an
/// embedded broker that never sees a group or a transaction creates neither topic (100 partitions
/// of files), and its start is not slowed by doing so in the background.
/// </summary>
/// <remarks>
/// The load runs once, in the background (<see cref="BackgroundLoad"/>); a failed load leaves the
/// coordinator unloaded, as before. <see cref="CloseAsync"/> refuses later starts, so none can race
/// the owner's shutdown.
/// </remarks>
internal sealed class OnDemandLoad(Func<CancellationToken, Task> run, Action<Exception> failed, CancellationToken stopping)
{
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _running;
    private bool _closed;
    private volatile bool _isLoaded;

    /// <summary>True once a load has been started (it may still be running, or have failed).</summary>
    public bool IsStarted => Volatile.Read(ref _running) is not null;

    /// <summary>True once the load has called <see cref="MarkLoaded"/>: the coordinator serves requests.</summary>
    public bool IsLoaded => _isLoaded;

    /// <summary>Completes when the load calls <see cref="MarkLoaded"/> (never, if loading fails).</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>Called by the load, under the owner's lock, when the state is ready to serve.</summary>
    public void MarkLoaded()
    {
        _isLoaded = true;
        _loaded.TrySetResult();
    }

    /// <summary>
    /// For a request: true when loaded; otherwise starts the load (the first request on a broker
    /// without the internal topic creates it) and the caller answers COORDINATOR_LOAD_IN_PROGRESS.
    /// </summary>
    public bool IsLoadedOrStart()
    {
        if (_isLoaded)
        {
            return true;
        }

        Start();
        return false;
    }

    /// <summary>Starts the load unless it has started or the owner is closing; returns <see cref="Loaded"/>.</summary>
    public Task Start()
    {
        if (Volatile.Read(ref _running) is null)
        {
            lock (_gate)
            {
                if (_running is null && !_closed)
                {
                    Volatile.Write(ref _running, BackgroundLoad.Start(run, failed, stopping));
                }
            }
        }

        return _loaded.Task;
    }

    /// <summary>Starts the load if needed and waits up to <paramref name="timeout"/>; false when not loaded by then or stopping.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout)
    {
        try
        {
            await Start().WaitAsync(timeout, stopping);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Refuses further starts and returns the running load (completed when none ran).</summary>
    public Task CloseAsync()
    {
        lock (_gate)
        {
            _closed = true;
            return _running ?? Task.CompletedTask;
        }
    }
}
