using BenchmarkDotNet.Attributes;
using Runnel.Broker;

namespace Runnel.Benchmarks.Broker;

/// <summary>
/// Time to start an embedded broker (temp dir, ephemeral port, metadata, listener) and stop it
/// again: what every test that needs a fresh broker pays.
/// </summary>
[MemoryDiagnoser]
public class EmbeddedBrokerStartBenchmarks
{
    [Benchmark]
    public async Task<int> StartAndStop()
    {
        await using var broker = await RunnelBroker.StartAsync();
        return broker.Port;
    }
}
