using System.Diagnostics;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Perf;

/// <summary>
/// <c>runnel perf produce --wire-producers</c>: the same run and summary, sent by Runnel's wire
/// producers (the load generator of <c>runnel perf e2e --wire-producers</c>) instead of a librdkafka
/// producer. librdkafka spends about 2 µs of CPU per record between <c>Produce</c> and its delivery
/// report, which at 100-byte records is the limit on two cores long before the broker is; the wire
/// producers encode a batch per request and do nothing per record but write it, so the run shows
/// what the broker takes in. Each record's latency runs from its request's send to the
/// acknowledgement (a record's wait for its batch is not counted, unlike the librdkafka path).
/// </summary>
internal sealed partial class ProducerPerformance : IProduceOutcomes
{
    private const string WireClientId = "runnel-perf-produce";

    private int _recordBytes;

    public async Task<int> RunOverWireAsync(CancellationToken cancellationToken)
    {
        if (_settings.RecordSize is not int recordSize)
        {
            throw new ToolException("Error: --wire-producers need --record-size.");
        }

        _recordBytes = recordSize;
        Dictionary<string, string> config = new(_settings.Config, StringComparer.Ordinal);
        string acks = config.GetValueOrDefault(WireProducerOptions.AcksKey, "all") switch
        {
            "1" => "1",
            "-1" or "all" => "all",
            string other => throw new ToolException($"Error: --wire-producers send with acks 1 or all (-1), not '{other}'."),
        };
        config.TryAdd(WireProducerOptions.ClientIdKey, WireClientId);
        WireProducerOptions options = WireProducerOptions.From(config, acks);

        BrokerProcessMonitor? monitor = BrokerProcessMonitor.Start(_settings.BrokerPid, _settings.MetricsUrl, cancellationToken);
        await using WireProducers producers = await WireProducers.ConnectAsync(options, _settings.Topic, _settings.WireProducers, recordSize, this, cancellationToken);

        long start = Stopwatch.GetTimestamp();
        PerfProgress? live = PerfProgress.IsTerminal(_output) ? new PerfProgress(_output, interactive: true, _settings.ReportingInterval, start) : null;
        _stats = new ProducerPerfStats(_output, _settings.ReportingInterval, start, live);

        // Without a rate every record is due at the start: the producers send as fast as their
        // in-flight limits and the broker's answers allow.
        FixedRateSchedule schedule = _settings.Throughput > 0
            ? FixedRateSchedule.At(start, _settings.Throughput, _settings.NumRecords)
            : new FixedRateSchedule(start, 0, _settings.NumRecords);
        producers.Run(schedule, cancellationToken, cancellationToken);
        return Finish(monitor, cancellationToken);
    }

    void IProduceOutcomes.Sent(int records)
    {
    }

    void IProduceOutcomes.Acknowledged(int producer, int records, long sentAt)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_statsLock)
        {
            _stats!.Record((long)(Math.Max(0, now - sentAt) * s_microsPerTick), _recordBytes, now, records);
        }

        Interlocked.Add(ref _completed, records);
    }

    void IProduceOutcomes.Failed(int producer, int records, string code, string reason)
    {
        if (Interlocked.Add(ref _failures, records) - records < MaxErrorsPrinted)
        {
            _error.WriteLine($"Error sending {records} records to {_settings.Topic}: {code}: {reason}");
        }

        Interlocked.Add(ref _completed, records);
    }
}
