using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Tests;

public sealed class DriverResultTests
{
    [Fact]
    public void Concurrent_producers_add_records_over_the_slowest_elapsed_time()
    {
        // 1000 records in 1 s and 1000 records in 2 s: 2000 records in 2 s.
        var combined = DriverResult.Combine([new(1000, 1000, 1, 5, 9), new(1000, 500, 2, 4, 10)]);

        Assert.Equal(2000, combined.Records);
        Assert.Equal(1000, combined.RecordsPerSec);
    }

    [Fact]
    public void Concurrent_producers_report_the_worst_percentile()
    {
        var combined = DriverResult.Combine([new(1000, 1000, 1, 5, 9), new(1000, 500, 2, 4, 10)]);

        Assert.Equal((2.0, 5.0, 10.0), (combined.P50Ms!.Value, combined.P99Ms!.Value, combined.P999Ms!.Value));
    }

    [Fact]
    public void Measurement_computes_MiB_per_second_and_server_cpu_per_MiB()
    {
        // 2048 records of 1 KiB at 1024/s: 1 MiB/s, 2 MiB moved, 50 ms of server CPU -> 25 ms/MiB.
        var measurement = new DriverResult(2048, 1024, 1, 2, 3).ToMeasurement(1024, fallbackRecords: 0, serverCpuMs: 50);

        Assert.Equal(1.0, measurement.MiBPerSec, 9);
        Assert.Equal(25.0, measurement.CpuMsPerMiB!.Value, 9);
    }

    [Fact]
    public void Range_requests_scale_rate_and_count_by_records_per_request()
    {
        // redis-benchmark: 100 XRANGE requests/s of 100 entries each, 10 requests asked for.
        var measurement = new DriverResult(null, 100, 1, 2, null).ToMeasurement(1024, fallbackRecords: 10, serverCpuMs: 1000 * 1.0, recordsPerOp: 100, keepLatency: false);

        Assert.Equal(10_000, measurement.MsgsPerSec);
        Assert.Equal(1000 / (1000 * 1024 / 1048576.0), measurement.CpuMsPerMiB!.Value, 9);
        Assert.Null(measurement.P99Ms);
    }

    [Fact]
    public void No_server_cpu_gives_no_cpu_per_MiB()
    {
        Assert.Null(new DriverResult(10, 10, null, null, null).ToMeasurement(100, 0, serverCpuMs: null).CpuMsPerMiB);
    }
}
