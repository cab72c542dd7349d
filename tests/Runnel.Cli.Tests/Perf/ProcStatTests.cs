using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class ProcStatTests
{
    // A real-shaped /proc/PID/stat line: utime (field 14) = 1234, stime (field 15) = 567.
    private const string Stat =
        "4242 (dotnet) S 1 4242 4242 0 -1 4194560 51234 0 12 0 1234 567 0 0 20 0 31 0 123456 3221225472 98765 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    private const string Status =
        "Name:\trunnel\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 5000000 kB\nVmHWM:\t  412345 kB\nVmRSS:\t  300000 kB\nThreads:\t31\n";

    [Fact]
    public void Reads_utime_and_stime()
    {
        Assert.True(ProcStat.TryParseCpuTicks(Stat, out long user, out long system));
        Assert.Equal(1234, user);
        Assert.Equal(567, system);
    }

    [Fact]
    public void A_command_name_with_spaces_and_parentheses_does_not_shift_the_fields()
    {
        string stat = Stat.Replace("(dotnet)", "(my (odd) broker)", StringComparison.Ordinal);
        Assert.True(ProcStat.TryParseCpuTicks(stat, out long user, out long system));
        Assert.Equal((1234, 567), (user, system));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 (dotnet) S 1 2 3")]
    [InlineData("no parenthesis at all 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15")]
    public void Truncated_or_malformed_stat_text_is_rejected(string stat)
    {
        Assert.False(ProcStat.TryParseCpuTicks(stat, out _, out _));
    }

    [Fact]
    public void Reads_peak_rss_from_status()
    {
        Assert.True(ProcStat.TryParseStatusKiB(Status, "VmHWM", out long kib));
        Assert.Equal(412_345, kib);
    }

    [Fact]
    public void A_field_name_must_match_whole()
    {
        Assert.True(ProcStat.TryParseStatusKiB(Status, "VmRSS", out long rss));
        Assert.Equal(300_000, rss);
        Assert.False(ProcStat.TryParseStatusKiB(Status, "VmHW", out _));
        Assert.False(ProcStat.TryParseStatusKiB(Status, "VmSwap", out _));
    }

    [Fact]
    public void Clock_ticks_per_second_is_positive()
    {
        Assert.True(ProcStat.ClockTicksPerSecond > 0);
    }

    [Fact]
    public void Broker_usage_divides_cpu_time_by_mebibytes_and_wall_time()
    {
        BrokerUsage usage = new(Pid: 7, CpuTime: TimeSpan.FromSeconds(3), WallTime: TimeSpan.FromSeconds(2), BytesMoved: 512L * 1024 * 1024, PeakRssBytes: 256L * 1024 * 1024);

        Assert.Equal(3000.0 / 512, usage.CpuMsPerMiB);
        Assert.Equal(1.5, usage.Cores);
        Assert.Equal(256.0, usage.PeakRssMiB);
        Assert.Equal("Broker pid 7: 5.86 CPU ms/MiB, 1.50 cores (3000 ms CPU in 2000 ms), peak RSS 256.0 MiB, disk writes n/a.", usage.Format());
    }

    [Fact]
    public void Broker_usage_without_bytes_or_rss_prints_not_available()
    {
        BrokerUsage usage = new(7, TimeSpan.Zero, TimeSpan.FromSeconds(1), 0, null);
        Assert.Null(usage.CpuMsPerMiB);
        Assert.Equal("Broker pid 7: n/a CPU ms/MiB, 0.00 cores (0 ms CPU in 1000 ms), peak RSS n/a, disk writes n/a.", usage.Format());
        Assert.Null(usage.FormatRuntime());
    }

    [Fact]
    public void Io_fields_are_read_by_name()
    {
        const string Io = "rchar: 4096\nwchar: 123456\nsyscr: 9\nsyscw: 12\nread_bytes: 0\nwrite_bytes: 987136\ncancelled_write_bytes: 4096\n";

        Assert.True(ProcStat.TryParseIoField(Io, "write_bytes", out long written));
        Assert.Equal(987136, written);
        Assert.True(ProcStat.TryParseIoField(Io, "cancelled_write_bytes", out long cancelled));
        Assert.Equal(4096, cancelled);
        Assert.False(ProcStat.TryParseIoField(Io, "write", out _));
        Assert.False(ProcStat.TryParseIoField("write_bytes: lots\n", "write_bytes", out _));
    }

    [Fact]
    public void Broker_usage_reports_disk_writes_per_payload_byte_and_gc_work_per_record()
    {
        BrokerUsage usage = new(Pid: 7, CpuTime: TimeSpan.FromSeconds(1), WallTime: TimeSpan.FromSeconds(2), BytesMoved: 1000, PeakRssBytes: 1024 * 1024)
        {
            DiskWriteBytes = 1500,
            Records = 10,
            Runtime = new BrokerRuntimeCounters(4, 1, 0, 0.00325, 8125),
        };

        Assert.Equal(1.5, usage.DiskWritePerPayloadByte);
        Assert.Equal(812.5, usage.AllocatedBytesPerRecord);
        Assert.EndsWith(", peak RSS 1.0 MiB, disk writes 1.50 bytes/payload byte (1500 bytes).", usage.Format(), StringComparison.Ordinal);
        Assert.Equal("Broker pid 7 GC: gen0 4, gen1 1, gen2 0 collections, 3.250 ms paused, 812.5 bytes allocated/record (0.0 MiB).", usage.FormatRuntime());
    }

    [Fact]
    public void Broker_usage_reports_what_the_jit_compiled_during_the_run_on_the_gc_line_and_in_the_csv()
    {
        BrokerUsage usage = new(Pid: 7, CpuTime: TimeSpan.FromSeconds(1), WallTime: TimeSpan.FromSeconds(2), BytesMoved: 1000, PeakRssBytes: null)
        {
            Records = 10,
            Runtime = new BrokerRuntimeCounters(4, 1, 0, 0.00325, 8125, JitCompiledMethods: 112, JitSeconds: 0.0483),
        };

        Assert.Equal(
            "Broker pid 7 GC: gen0 4, gen1 1, gen2 0 collections, 3.250 ms paused, 812.5 bytes allocated/record (0.0 MiB); JIT: 112 methods compiled in 48.3 ms.",
            usage.FormatRuntime());
        object?[] cells = BrokerUsage.CsvCells(usage);
        Assert.Equal(BrokerUsage.CsvHeader.Length, cells.Length);
        Assert.Equal(112.0, cells[Array.IndexOf(BrokerUsage.CsvHeader, "broker_jit_methods")]);
        Assert.Equal(48.3, (double)cells[Array.IndexOf(BrokerUsage.CsvHeader, "broker_jit_ms")]!, 9);
    }

    [Fact]
    public void Broker_usage_reports_requests_per_api_busiest_first_and_cpu_per_request()
    {
        BrokerUsage usage = new(Pid: 7, CpuTime: TimeSpan.FromSeconds(1), WallTime: TimeSpan.FromSeconds(2), BytesMoved: 1000, PeakRssBytes: null)
        {
            Records = 10,
            Runtime = new BrokerRuntimeCounters(0, 0, 0, 0, 0, new Dictionary<string, double> { ["Fetch"] = 2000, ["Produce"] = 38000, ["Metadata"] = 2000 }),
        };
        using StringWriter output = new();

        usage.WriteTo(output);

        Assert.Equal(21000, usage.RequestsPerSecond);
        Assert.Equal(1_000_000.0 / 42_000, usage.CpuMicrosecondsPerRequest);
        Assert.EndsWith(
            "Broker pid 7 requests: 21000.0/s (Produce 19000.0/s, Fetch 1000.0/s, Metadata 1000.0/s), 23.8 µs CPU per request." + Environment.NewLine,
            output.ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Broker_usage_reports_request_time_percentiles_as_bucket_bounds_busiest_api_first()
    {
        double[] bounds = [0.0001, 0.001, 0.01, double.PositiveInfinity];
        BrokerUsage usage = new(Pid: 7, CpuTime: TimeSpan.FromSeconds(1), WallTime: TimeSpan.FromSeconds(2), BytesMoved: 1000, PeakRssBytes: null)
        {
            Records = 10,
            Runtime = new BrokerRuntimeCounters(0, 0, 0, 0, 0, RequestTimes: new Dictionary<string, RequestTimeHistogram>
            {
                ["Fetch"] = new(bounds, [0, 100, 100, 100]),
                ["Produce"] = new(bounds, [900, 995, 999, 1000]),
            }),
        };

        Assert.Equal(
            "Broker pid 7 request time: Produce p50 ≤ 0.1 ms, p99 ≤ 1 ms, p99.9 ≤ 10 ms; Fetch p50 ≤ 1 ms, p99 ≤ 1 ms, p99.9 ≤ 1 ms.",
            usage.FormatRequestTimes());
        Assert.Equal(
            "Broker request time: Produce p50 ≤ 0.1 ms, p99 ≤ 1 ms, p99.9 ≤ 10 ms; Fetch p50 ≤ 1 ms, p99 ≤ 1 ms, p99.9 ≤ 1 ms.",
            (usage with { Pid = null }).FormatRequestTimes());
    }

    [Fact]
    public void Broker_usage_from_metrics_alone_prints_only_the_gc_line()
    {
        BrokerUsage usage = new(null, TimeSpan.Zero, TimeSpan.FromSeconds(1), 100, null) { Records = 0, Runtime = new BrokerRuntimeCounters(1, 0, 0, 0, 0) };
        using StringWriter output = new();

        usage.WriteTo(output);

        Assert.Equal("Broker GC: gen0 1, gen1 0, gen2 0 collections, 0.000 ms paused, n/a bytes allocated/record (0.0 MiB)." + Environment.NewLine, output.ToString());
        Assert.Null(usage.CpuMsPerMiB);
    }
}
