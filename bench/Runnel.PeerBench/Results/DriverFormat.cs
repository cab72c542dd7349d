namespace Runnel.PeerBench.Results;

/// <summary>Which load driver's output <see cref="DriverOutputParser"/> reads.</summary>
internal enum DriverFormat
{
    /// <summary><c>runnel perf produce</c>: kafka-producer-perf-test's final line.</summary>
    RunnelProduce,

    /// <summary><c>runnel perf consume</c>: kafka-consumer-perf-test's header and summary row.</summary>
    RunnelConsume,

    /// <summary>
    /// <c>runnel perf e2e</c> and this tool's drivers: either the fixed-rate line
    /// (<c>N records, X records/sec (Y MB/sec), latency ms: avg …, p50 …, p99 …, p99.9 …</c>) or
    /// kafka-e2e-latency's <c>Avg latency</c> / <c>Percentiles</c> lines for single-record round trips.
    /// </summary>
    Latency,

    /// <summary><c>redis-benchmark --csv</c>: a quoted header row and one row per test.</summary>
    RedisBenchmark,
}
