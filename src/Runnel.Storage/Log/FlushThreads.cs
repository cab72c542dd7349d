namespace Runnel.Storage.Log;

/// <summary>
/// The threads that run fsyncs (group-commit flush rounds), shared by every log in the process.
/// An fsync blocks its thread for about a millisecond; on thread-pool threads, sixteen partitions
/// flushing at once starved the pool that serves requests (2 cores: 2 threads before injection),
/// so produce requests queued behind fsyncs. Dedicated threads keep the pool free.
/// </summary>
/// <remarks>
/// The threads wait with <see cref="Monitor.Wait(object)"/>, which blocks at once. A
/// <c>BlockingCollection</c> (its <c>SemaphoreSlim</c>) spins and yields before blocking, and with
/// a flush round every millisecond or so those spins of idle flush threads took CPU from the
/// request threads on a two-core machine (bench/RESULTS.md, "Session 12").
/// </remarks>
internal static class FlushThreads
{
    /// <summary>Enough to overlap fsyncs of several partitions (the device takes them in parallel).</summary>
    private static readonly int Count = Math.Clamp(Environment.ProcessorCount * 2, 4, 16);

    private static readonly Queue<Action> s_work = new();
    /// <summary>A monitor, not a <see cref="Lock"/>: the threads wait on it with <see cref="Monitor.Wait(object)"/>.</summary>
    private static readonly object s_gate = Start();

    public static void Run(Action work)
    {
        lock (s_gate)
        {
            s_work.Enqueue(work);
            Monitor.Pulse(s_gate);
        }
    }

    private static object Start()
    {
        var gate = new object();
        for (var i = 0; i < Count; i++)
        {
            new Thread(() => Serve(gate))
            {
                IsBackground = true,
                Name = "runnel-flush-" + i,
            }.Start();
        }

        return gate;
    }

    private static void Serve(object gate)
    {
        while (true)
        {
            Action item;
            lock (gate)
            {
                while (s_work.Count == 0)
                {
                    Monitor.Wait(gate);
                }

                item = s_work.Dequeue();
            }

            item();
        }
    }
}
