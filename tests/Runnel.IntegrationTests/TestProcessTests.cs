namespace Runnel.IntegrationTests;

/// <summary>The test process's own settings that the in-process brokers depend on.</summary>
public sealed class TestProcessTests
{
    /// <summary>
    /// tests/Directory.Build.props raises the thread pool's minimum: without it, tests blocking pool
    /// threads in synchronous client calls starve the in-process broker for half a second at a time
    /// (the flaky consumer-protocol rebalance of sessions 9–10).
    /// </summary>
    [Fact]
    public void The_thread_pool_starts_enough_threads_for_a_broker_beside_blocking_clients()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= 16, $"minimum worker threads {workers}: the runtimeconfig option from tests/Directory.Build.props is missing");
    }
}
