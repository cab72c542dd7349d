using System.Diagnostics;
using System.Globalization;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Perf;

/// <summary>
/// One <c>runnel perf consume</c> run, faithful to Kafka's <c>ConsumerPerformance</c>: read
/// <c>Messages</c> records (key + value bytes counted), stop early when none arrives for
/// <c>Timeout</c>, and print Kafka's columns <c>start.time, end.time, data.consumed.in.MB, MB.sec,
/// data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec</c>
/// (or, with detailed stats, one row per interval). Without a group every partition is assigned from
/// the beginning, so rebalance.time.ms is 0; with one it is the time until the first assignment.
/// The records come from an <see cref="IConsumeSource"/>: Confluent.Kafka's consumer, or with
/// <c>--wire</c> Runnel's own fetch loop, which shows what the broker serves when the client's
/// per-record work is only counting.
/// <para>Live progress (Runnel's, not Kafka's) when detailed stats are off: on a terminal one line
/// updated in place on stdout; redirected, a line per reporting interval on stderr, so stdout keeps
/// exactly Kafka's header and summary row for scripts.</para>
/// </summary>
internal sealed class ConsumerPerformance(ConsumerPerfSettings settings, TextWriter output, TextWriter error)
{
    private const double MiB = 1024.0 * 1024.0;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!settings.HideHeader)
        {
            output.WriteLine(FormatHeader(settings.ShowDetailedStats));
        }

        BrokerProcessMonitor? monitor = BrokerProcessMonitor.Start(settings.BrokerPid, settings.MetricsUrl, cancellationToken);
        using IConsumeSource source = settings.Wire
            ? await WireConsumeSource.OpenAsync(WireConsumerOptions.From(settings.Config), settings.Topic, settings.FromLatest, sink: null, cancellationToken)
            : new KafkaConsumeSource(settings, error);

        DateTimeOffset startTime = DateTimeOffset.Now;
        long start = Stopwatch.GetTimestamp();
        source.Start(start);

        long messages = 0;
        long bytes = 0;
        long lastMessages = 0;
        long lastBytes = 0;
        long timeoutTicks = (long)(settings.Timeout.TotalSeconds * Stopwatch.Frequency);
        long reportTicks = (long)(settings.ReportingInterval.TotalSeconds * Stopwatch.Frequency);
        long lastConsumed = start;
        long lastReport = start;
        long now = start;
        bool joinReported = false;
        TimeSpan poll = TimeSpan.FromMilliseconds(100);
        PerfProgress? live = settings.ShowDetailedStats
            ? null
            : PerfProgress.IsTerminal(output)
                ? new PerfProgress(output, interactive: true, settings.ReportingInterval, start)
                : new PerfProgress(error, interactive: false, settings.ReportingInterval, start);
        long liveMessages = 0;
        long liveBytes = 0;

        while (messages < settings.Messages && now - lastConsumed <= timeoutTicks && !cancellationToken.IsCancellationRequested)
        {
            ConsumedChunk chunk = await source.PollAsync(poll, settings.Messages - messages, cancellationToken);
            now = Stopwatch.GetTimestamp();
            if (live is not null && live.IsDue(now))
            {
                live.Report(PerfProgress.Format(messages, messages - liveMessages, bytes - liveBytes, ToMs(now - live.LastTimestamp), string.Empty), now);
                liveMessages = messages;
                liveBytes = bytes;
            }

            if (chunk.Records == 0)
            {
                continue;
            }

            lastConsumed = now;
            messages += chunk.Records;
            bytes += chunk.Bytes;
            if (now - lastReport >= reportTicks)
            {
                if (settings.ShowDetailedStats)
                {
                    // Kafka charges the join time to the first interval only.
                    long join = joinReported ? 0 : JoinMs(source.JoinTicks);
                    joinReported = true;
                    output.WriteLine(FormatProgress(
                        DateTimeOffset.Now.ToString(settings.DateFormat, CultureInfo.InvariantCulture),
                        bytes, lastBytes, messages, lastMessages, ToMs(now - lastReport), join));
                }

                lastReport = now;
                lastMessages = messages;
                lastBytes = bytes;
            }
        }

        live?.Clear();
        if (messages < settings.Messages && !cancellationToken.IsCancellationRequested)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"WARNING: Exiting before consuming the expected number of messages: timeout ({(long)settings.Timeout.TotalMilliseconds} ms) exceeded. You can use the --timeout option to increase the timeout."));
        }

        long end = Stopwatch.GetTimestamp();
        DateTimeOffset endTime = startTime + Stopwatch.GetElapsedTime(start, end);
        long elapsedMs = Math.Max(1, ToMs(end - start));
        long joinMs = JoinMs(source.JoinTicks);
        source.Close();

        if (!settings.ShowDetailedStats)
        {
            output.WriteLine(FormatSummary(
                startTime.ToString(settings.DateFormat, CultureInfo.InvariantCulture),
                endTime.ToString(settings.DateFormat, CultureInfo.InvariantCulture),
                bytes, messages, elapsedMs, joinMs));
        }

        BrokerUsage? usage = monitor?.Stop(bytes, messages, cancellationToken);
        usage?.WriteTo(output);

        if (settings.CsvPath is { } csv)
        {
            double mb = bytes / MiB;
            long fetchMs = elapsedMs - joinMs;
            PerfCsv.Append(
                csv,
                [
                    "time", "tool", "topic", "messages", "mb", "mb_per_sec", "records_per_sec", "elapsed_ms",
                    "rebalance_ms", "fetch_ms", "fetch_mb_per_sec", "fetch_records_per_sec",
                    .. BrokerUsage.CsvHeader,
                ],
                [
                    startTime, "consume", settings.Topic, messages, mb, mb / (elapsedMs / 1000.0), messages / (elapsedMs / 1000.0), elapsedMs,
                    joinMs, fetchMs, fetchMs > 0 ? mb / (fetchMs / 1000.0) : 0.0, fetchMs > 0 ? messages / (fetchMs / 1000.0) : 0.0,
                    .. BrokerUsage.CsvCells(usage),
                ]);
        }

        return 0;
    }

    /// <summary>Kafka's header line (the detailed form starts with <c>time, threadId</c>).</summary>
    internal static string FormatHeader(bool showDetailedStats) =>
        (showDetailedStats
            ? "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec"
            : "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec")
        + ", rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";

    /// <summary>Kafka's summary row: <c>%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f</c>.</summary>
    internal static string FormatSummary(string startTime, string endTime, long bytes, long messages, long elapsedMs, long joinMs)
    {
        double mb = bytes / MiB;
        double elapsedSec = elapsedMs / 1000.0;
        long fetchMs = elapsedMs - joinMs;
        double fetchSec = fetchMs / 1000.0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{startTime}, {endTime}, {mb:F4}, {mb / elapsedSec:F4}, {messages}, {messages / elapsedSec:F4}, {joinMs}, {fetchMs}, {JavaDouble(mb / fetchSec)}, {JavaDouble(messages / fetchSec)}");
    }

    /// <summary>
    /// Kafka's detailed row for one interval: <c>%s, %d, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f</c>
    /// (time, thread id 0, total MB, interval MB/sec, total messages, interval messages/sec, join ms,
    /// interval fetch ms, fetch MB/sec, fetch messages/sec).
    /// </summary>
    internal static string FormatProgress(string time, long bytes, long lastBytes, long messages, long lastMessages, long intervalMs, long joinMs)
    {
        double elapsedMs = intervalMs;
        double totalMb = bytes / MiB;
        double intervalMb = (bytes - lastBytes) / MiB;
        long intervalMessages = messages - lastMessages;
        long fetchMs = intervalMs - joinMs;
        double fetchMbPerSec = fetchMs <= 0 ? 0.0 : 1000.0 * intervalMb / fetchMs;
        double fetchMessagesPerSec = fetchMs <= 0 ? 0.0 : 1000.0 * intervalMessages / fetchMs;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{time}, 0, {totalMb:F4}, {1000.0 * intervalMb / elapsedMs:F4}, {messages}, {intervalMessages / elapsedMs * 1000.0:F4}, {joinMs}, {fetchMs}, {fetchMbPerSec:F4}, {fetchMessagesPerSec:F4}");
    }

    /// <summary>Java's <c>%.4f</c>, which prints a division by zero as Infinity or NaN.</summary>
    private static string JavaDouble(double value) =>
        double.IsPositiveInfinity(value) ? "Infinity" : double.IsNaN(value) ? "NaN" : value.ToString("F4", CultureInfo.InvariantCulture);

    private static long JoinMs(long joinTicks) => joinTicks < 0 ? 0 : ToMs(joinTicks);

    private static long ToMs(long ticks) => ticks * 1000 / Stopwatch.Frequency;
}
