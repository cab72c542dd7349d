using System.Collections.Concurrent;

namespace Runnel.Storage.Log;

/// <summary>
/// The threads that run fsyncs (group-commit flush rounds), shared by every log in the process.
/// An fsync blocks its thread for about a millisecond; on thread-pool threads, sixteen partitions
/// flushing at once starved the pool that serves requests (2 cores: 2 threads before injection),
/// so produce requests queued behind fsyncs. Dedicated threads keep the pool free.
/// </summary>
internal static class FlushThreads
{
    /// <summary>Enough to overlap fsyncs of several partitions (the device takes them in parallel).</summary>
    private static readonly int Count = Math.Clamp(Environment.ProcessorCount * 2, 4, 16);

    private static readonly BlockingCollection<Action> s_work = Start();

    public static void Run(Action work) => s_work.Add(work);

    private static BlockingCollection<Action> Start()
    {
        var work = new BlockingCollection<Action>(new ConcurrentQueue<Action>());
        for (var i = 0; i < Count; i++)
        {
            new Thread(() =>
            {
                foreach (var item in work.GetConsumingEnumerable())
                {
                    item();
                }
            })
            {
                IsBackground = true,
                Name = "runnel-flush-" + i,
            }.Start();
        }

        return work;
    }
}
