using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>
/// One <c>runnel perf produce</c> run, faithful to Kafka's <c>ProducerPerformance</c>: send
/// <c>NumRecords</c> records of a reused payload as fast as allowed, measure each record's latency
/// from its delivery report, print a progress line per window and Kafka's summary line at the end.
/// </summary>
/// <remarks>
/// <para>Fixed-rate mode (<c>Throughput &gt; 0</c>) schedules record i at <c>start + i / throughput</c>
/// and measures its latency from that scheduled time, not from when it was actually handed to the
/// client: if the producer falls behind, the wait counts (no coordinated omission). Kafka's tool
/// measures from the actual send.</para>
/// <para>No per-record allocation of ours: the payload and the <see cref="Message{TKey,TValue}"/> are
/// reused (Confluent.Kafka copies the bytes during Produce), and each in-flight record's send time
/// lives in a pooled <see cref="InFlightRecord"/> whose delivery delegate is created once.</para>
/// <para>With transactions (Kafka's <c>--transactional-id</c>/<c>--transaction-duration-ms</c>) the
/// producer initialises them once, begins a transaction before the first record of each, and
/// commits after the send that finds the transaction older than the duration (and at the end), as
/// Kafka's tool does; a commit waits for every record of the transaction, so it is part of their latency.</para>
/// <para>Threads: this one sends. Delivery reports run on Confluent.Kafka's poll thread and, during
/// <c>Flush</c>, on this thread too (librdkafka's flush polls), so stats are updated under a lock.</para>
/// </remarks>
internal sealed partial class ProducerPerformance
{
    private const int MaxErrorsPrinted = 10;

    private static readonly double s_microsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly ProducerPerfSettings _settings;
    private readonly TextWriter _output;
    private readonly TextWriter _error;
    private readonly Stack<InFlightRecord> _pool = new();
    private readonly Lock _poolLock = new();
    private readonly Lock _statsLock = new();

    private ProducerPerfStats? _stats;
    private long _completed;
    private long _failures;
    private string? _lastStatistics;

    public ProducerPerformance(ProducerPerfSettings settings, TextWriter output, TextWriter error)
    {
        _settings = settings;
        _output = output;
        _error = error;
    }

    public int Run(CancellationToken cancellationToken)
    {
        byte[][] payloads = LoadPayloads();
        Dictionary<string, string> config = new(_settings.Config, StringComparer.Ordinal);

        // The delivery report needs only the error: skip copying key, value, headers and timestamp back.
        config.TryAdd(ConfigPropertyNames.Producer.DeliveryReportFields, "none");
        if (_settings.PrintMetrics)
        {
            config.TryAdd("statistics.interval.ms", "1000");
        }

        if (_settings.TransactionalId is { } transactionalId)
        {
            config["transactional.id"] = transactionalId;
        }

        BrokerProcessMonitor? monitor = BrokerProcessMonitor.Start(_settings.BrokerPid, _settings.MetricsUrl, cancellationToken);
        using IProducer<byte[]?, byte[]> producer = KafkaClients.CreateProducer<byte[]?, byte[]>(
            config, _error, _settings.PrintMetrics ? (_, json) => Volatile.Write(ref _lastStatistics, json) : null);

        if (_settings.TransactionsEnabled)
        {
            producer.InitTransactions(TimeSpan.FromSeconds(60));
        }

        long start = Stopwatch.GetTimestamp();
        PerfProgress? live = PerfProgress.IsTerminal(_output) ? new PerfProgress(_output, interactive: true, _settings.ReportingInterval, start) : null;
        _stats = new ProducerPerfStats(_output, _settings.ReportingInterval, start, live);
        long sent = Send(producer, payloads, start, cancellationToken);

        producer.Flush(cancellationToken);

        // Flush returns once librdkafka has handed every report to the poll thread; wait for the last callbacks.
        SpinWait spin = default;
        while (Volatile.Read(ref _completed) < sent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            spin.SpinOnce();
        }

        return Finish(monitor, cancellationToken);
    }

    /// <summary>The end of every run: Kafka's summary line, the client's and the broker's figures, the CSV row; the exit code.</summary>
    private int Finish(BrokerProcessMonitor? monitor, CancellationToken cancellationToken)
    {
        ProducerPerfSummary summary;
        lock (_statsLock)
        {
            summary = _stats!.Summarize(Stopwatch.GetTimestamp());
            _stats.ClearProgress();
        }

        _output.WriteLine(summary.Format());

        if (_settings.PrintMetrics)
        {
            ClientStatistics.Print(_output, Volatile.Read(ref _lastStatistics));
        }

        BrokerUsage? usage = monitor?.Stop(summary.Bytes, summary.Count, cancellationToken);
        usage?.WriteTo(_output);

        if (_settings.CsvPath is { } csv)
        {
            AppendCsv(csv, summary, usage);
        }

        long failures = Interlocked.Read(ref _failures);
        if (failures > 0)
        {
            _error.WriteLine($"{failures} records failed.");
            return 1;
        }

        return 0;
    }

    private long Send(IProducer<byte[]?, byte[]> producer, byte[][] payloads, long start, CancellationToken cancellationToken)
    {
        string topic = _settings.Topic;
        bool throttled = _settings.Throughput > 0;
        double ticksPerRecord = throttled ? Stopwatch.Frequency / _settings.Throughput : 0;
        Message<byte[]?, byte[]> message = new() { Value = payloads[0] };
        byte[][] keys = CreateKeys(_settings.KeyCount);

        bool transactional = _settings.TransactionsEnabled;
        long transactionTicks = _settings.TransactionDurationMs * Stopwatch.Frequency / 1000;
        long transactionStart = 0;
        long inTransaction = 0;
        long sent = 0;
        for (long i = 0; i < _settings.NumRecords && !cancellationToken.IsCancellationRequested; i++)
        {
            if (transactional && inTransaction == 0)
            {
                producer.BeginTransaction();
                transactionStart = Stopwatch.GetTimestamp();
            }

            byte[] payload = payloads.Length == 1 ? payloads[0] : payloads[Random.Shared.Next(payloads.Length)];
            message.Value = payload;
            message.Key = keys.Length == 0 ? null : keys[i % keys.Length];

            long sendAt;
            if (throttled)
            {
                sendAt = start + (long)(i * ticksPerRecord);
                WaitUntil(sendAt);
            }
            else
            {
                sendAt = Stopwatch.GetTimestamp();
            }

            InFlightRecord record = Rent();
            record.SentAt = sendAt;
            record.Bytes = payload.Length;
            if (!ProduceWaitingForSpace(producer, topic, message, record.Handler, cancellationToken))
            {
                Return(record);
                return sent;
            }

            sent++;
            if (transactional && ++inTransaction > 0 && Stopwatch.GetTimestamp() - transactionStart >= transactionTicks)
            {
                producer.CommitTransaction(TimeSpan.FromSeconds(60));
                inTransaction = 0;
            }
        }

        if (transactional && inTransaction > 0)
        {
            producer.CommitTransaction(TimeSpan.FromSeconds(60));
        }

        return sent;
    }

    /// <summary>
    /// Produces one record; while librdkafka's queue is full, waits for space and tries again, as the
    /// Java producer blocks in <c>send()</c> (the wait is part of the record's latency). False if
    /// <paramref name="cancellationToken"/> stopped the wait before the record was queued.
    /// </summary>
    internal static bool ProduceWaitingForSpace<TKey, TValue>(
        IProducer<TKey, TValue> producer, string topic, Message<TKey, TValue> message, Action<DeliveryReport<TKey, TValue>> onDelivery, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivery);
                return true;
            }
            catch (ProduceException<TKey, TValue> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return false;
                }

                // With delivery handlers librdkafka is polled by Confluent.Kafka's own thread, so
                // there is nothing to wait on but time: space frees up as deliveries complete.
                Thread.Sleep(1);
            }
        }
    }

    /// <summary>Sleeps until shortly before <paramref name="timestamp"/>; sending up to 0.2 ms early keeps the rate without spinning.</summary>
    internal static void WaitUntil(long timestamp)
    {
        long early = Stopwatch.Frequency / 5000;
        while (true)
        {
            long remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= early)
            {
                return;
            }

            Thread.Sleep((int)Math.Max(1, remaining * 1000 / Stopwatch.Frequency));
        }
    }

    private void OnDelivery(InFlightRecord record, DeliveryReport<byte[]?, byte[]> report)
    {
        long now = Stopwatch.GetTimestamp();
        if (report.Error.IsError)
        {
            if (Interlocked.Increment(ref _failures) <= MaxErrorsPrinted)
            {
                _error.WriteLine($"Error sending a record to {_settings.Topic}: {report.Error.Code}: {report.Error.Reason}");
            }
        }
        else
        {
            lock (_statsLock)
            {
                _stats!.Record((long)(Math.Max(0, now - record.SentAt) * s_microsPerTick), record.Bytes, now);
            }
        }

        Return(record);
        Interlocked.Increment(ref _completed);
    }

    private InFlightRecord Rent()
    {
        lock (_poolLock)
        {
            if (_pool.TryPop(out InFlightRecord? record))
            {
                return record;
            }
        }

        return new InFlightRecord(this);
    }

    private void Return(InFlightRecord record)
    {
        lock (_poolLock)
        {
            _pool.Push(record);
        }
    }

    /// <summary>The distinct keys records cycle through (none: keyless records, as Kafka's tool sends).</summary>
    private static byte[][] CreateKeys(int count)
    {
        byte[][] keys = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            keys[i] = System.Text.Encoding.ASCII.GetBytes(i.ToString("D10", System.Globalization.CultureInfo.InvariantCulture));
        }

        return keys;
    }

    private byte[][] LoadPayloads()
    {
        if (_settings.RecordSize is int size)
        {
            // Kafka's tool fills the payload with random upper-case letters.
            byte[] payload = new byte[size];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)('A' + Random.Shared.Next(26));
            }

            return [payload];
        }

        string path = _settings.PayloadFile!;
        _output.WriteLine($"Reading payloads from: {Path.GetFullPath(path)}");
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (IOException e)
        {
            throw new ToolException($"Cannot read payload file '{path}': {e.Message}", e);
        }

        List<byte[]> payloads = [];
        foreach (string part in text.Split(_settings.PayloadDelimiter))
        {
            payloads.Add(Encoding.UTF8.GetBytes(part));
        }

        // Java's String.split drops trailing empty strings.
        while (payloads.Count > 0 && payloads[^1].Length == 0)
        {
            payloads.RemoveAt(payloads.Count - 1);
        }

        if (payloads.Count == 0)
        {
            throw new ToolException($"File does not contain any payloads: {path}");
        }

        _output.WriteLine($"Number of messages read: {payloads.Count}");
        return [.. payloads];
    }

    private void AppendCsv(string path, ProducerPerfSummary summary, BrokerUsage? usage)
    {
        Dictionary<string, string> config = _settings.Config;
        string acks = config.GetValueOrDefault("acks") ?? config.GetValueOrDefault("request.required.acks") ?? "default";
        string compression = config.GetValueOrDefault("compression.type") ?? config.GetValueOrDefault("compression.codec") ?? "none";
        PerfCsv.Append(
            path,
            [
                "time", "tool", "topic", "num_records", "record_size", "target_throughput", "acks", "compression",
                "records", "records_per_sec", "mb_per_sec", "avg_latency_ms", "max_latency_ms",
                "p50_ms", "p95_ms", "p99_ms", "p999_ms", "errors",
                .. BrokerUsage.CsvHeader,
            ],
            [
                DateTimeOffset.Now, "produce", _settings.Topic, _settings.NumRecords,
                _settings.RecordSize?.ToString(CultureInfo.InvariantCulture) ?? "file", _settings.Throughput, acks, compression,
                summary.Count, summary.RecordsPerSec, summary.MbPerSec, summary.AvgLatencyMs, summary.MaxLatencyMs,
                summary.P50Ms, summary.P95Ms, summary.P99Ms, summary.P999Ms, Interlocked.Read(ref _failures),
                .. BrokerUsage.CsvCells(usage),
            ]);
    }

    /// <summary>A record on its way: its (scheduled or actual) send time, size, and a delivery delegate made once.</summary>
    private sealed class InFlightRecord
    {
        private readonly ProducerPerformance _owner;

        public InFlightRecord(ProducerPerformance owner)
        {
            _owner = owner;
            Handler = OnDelivery;
        }

        public long SentAt { get; set; }

        public int Bytes { get; set; }

        public Action<DeliveryReport<byte[]?, byte[]>> Handler { get; }

        private void OnDelivery(DeliveryReport<byte[]?, byte[]> report) => _owner.OnDelivery(this, report);
    }
}
