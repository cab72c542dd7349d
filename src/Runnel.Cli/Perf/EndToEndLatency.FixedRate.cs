using System.Buffers.Binary;
using System.Diagnostics;
using Confluent.Kafka;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Perf;

/// <summary>Fixed-rate mode of <c>runnel perf e2e</c>: a scheduled sender thread and a consumer measuring from the schedule.</summary>
internal sealed partial class EndToEndLatency
{
    /// <summary>Bytes at the start of each value that carry its scheduled send time.</summary>
    internal const int TimestampBytes = sizeof(long);

    private const int MaxErrorsPrinted = 10;

    private long _sent;
    private long _failed;
    private int _errorsPrinted;
    private int _senderDone;
    private Exception? _senderError;
    private long[] _acknowledged = [];

    /// <summary>
    /// Starts the sender (the Confluent.Kafka producers in turn, or the <paramref name="wire"/>
    /// producers' event loop) and runs <paramref name="consume"/> until every record that was sent and
    /// not failed has arrived. Returns the failures and when the last record arrived (what
    /// <paramref name="consume"/> returns); every acknowledgement has been counted by then.
    /// </summary>
    private async Task<(long Failures, long End)> RunFixedRateAsync(
        IProducer<Null, byte[]>[] producers,
        WireProducers? wire,
        Func<ValueTask<long>> consume,
        long start,
        CancellationToken cancellationToken)
    {
        _acknowledged = new long[_settings.Producers];
        FixedRateSchedule schedule = FixedRateSchedule.At(start, _settings.Throughput, _settings.NumRecords);
        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ThreadStart send = wire is null
            ? () => Send(producers, schedule, stop.Token)
            : () => SendOverWire(wire, schedule, stop.Token, cancellationToken);
        Thread sender = new(send) { IsBackground = true, Name = "runnel-perf-e2e-sender" };
        sender.Start();
        try
        {
            long end = await consume();
            return (Interlocked.Read(ref _failed), end);
        }
        finally
        {
            // The wire producers' event loop waits for their responses itself before it ends.
            stop.Cancel();
            sender.Join();
            foreach (IProducer<Null, byte[]> producer in producers)
            {
                producer.Flush(TimeSpan.FromSeconds(10));
            }
        }
    }

    /// <summary>
    /// True when the sender is done and every record it handed to the client has arrived (one of
    /// <paramref name="received"/>) or failed; a sender that stopped on an error ends the run with it.
    /// </summary>
    private bool AllRecordsAccountedFor(long received)
    {
        if (Volatile.Read(ref _senderDone) == 0)
        {
            return false;
        }

        if (_senderError is { } senderError)
        {
            throw new ToolException($"Error: the sender stopped: {senderError.Message}", senderError);
        }

        return received + Interlocked.Read(ref _failed) >= Interlocked.Read(ref _sent);
    }

    /// <summary>Records sent in turn through each producer (its own connection), from one schedule.</summary>
    private void Send(IProducer<Null, byte[]>[] producers, FixedRateSchedule schedule, CancellationToken cancellationToken)
    {
        try
        {
            string topic = _settings.Topic;
            byte[] value = new byte[_settings.RecordSize];
            value.AsSpan(TimestampBytes).Fill((byte)'A');
            Message<Null, byte[]> message = new() { Value = value };

            // One delegate per producer, made once: the report carries all else the handler needs.
            Action<DeliveryReport<Null, byte[]>>[] onDelivery = new Action<DeliveryReport<Null, byte[]>>[producers.Length];
            for (int k = 0; k < producers.Length; k++)
            {
                int index = k;
                onDelivery[k] = report => OnDelivery(index, report);
            }

            int next = 0;
            for (long i = 0; i < _settings.NumRecords && !cancellationToken.IsCancellationRequested; i++)
            {
                long scheduled = schedule.ScheduledAt(i);
                ProducerPerformance.WaitUntil(scheduled);
                BinaryPrimitives.WriteInt64LittleEndian(value, scheduled);
                // Confluent.Kafka copies the value during Produce, so the buffer is reused. A wait
                // for queue space counts in this record's latency: it is measured from its schedule.
                if (!ProducerPerformance.ProduceWaitingForSpace(producers[next], topic, message, onDelivery[next], cancellationToken))
                {
                    return;
                }

                next = next + 1 == producers.Length ? 0 : next + 1;

                Interlocked.Increment(ref _sent);
            }
        }
        catch (Exception e) when (e is KafkaException or ToolException)
        {
            _senderError = e;
        }
        finally
        {
            Volatile.Write(ref _senderDone, 1);
        }
    }

    private void OnDelivery(int producer, DeliveryReport<Null, byte[]> report)
    {
        if (!report.Error.IsError)
        {
            Interlocked.Increment(ref _acknowledged[producer]);
        }
        else
        {
            RecordFailure(1, report.Error.Code.ToString(), report.Error.Reason);
        }
    }

    /// <summary>Counts <paramref name="records"/> failed records; the first <see cref="MaxErrorsPrinted"/> errors are printed.</summary>
    private void RecordFailure(int records, string code, string reason)
    {
        Interlocked.Add(ref _failed, records);
        if (Interlocked.Increment(ref _errorsPrinted) <= MaxErrorsPrinted)
        {
            _error.WriteLine($"Error sending a record to {_settings.Topic}: {code}: {reason}");
        }
    }

    /// <summary>"Records acknowledged per producer: a, b, c" (with several producers; after every flush, so no report is still running).</summary>
    private string FormatAcknowledgedPerProducer() => "Records acknowledged per producer: " + string.Join(", ", _acknowledged);

    /// <summary>The librdkafka consumer's poll: one record at most, timed when <c>Consume</c> returns it.</summary>
    private static Func<CancellationToken, ValueTask> PollOnce(IConsumer<Ignore, byte[]> consumer, EndToEndArrivals arrivals)
    {
        TimeSpan poll = TimeSpan.FromMilliseconds(100);
        return _ =>
        {
            ConsumeResult<Ignore, byte[]>? result = consumer.Consume(poll);
            if (result is not null && !arrivals.TryArrive(Stopwatch.GetTimestamp(), result.Message.Value))
            {
                throw arrivals.NoSendTime(result.TopicPartitionOffset.ToString());
            }

            return ValueTask.CompletedTask;
        };
    }

    /// <summary>
    /// The consumer side of a fixed-rate run, whichever client reads: polls until every record that
    /// was sent has arrived or failed (<paramref name="pollOnce"/> hands each arrival to
    /// <paramref name="arrivals"/>), fails when nothing arrives for <see cref="PollTimeout"/> while
    /// records are outstanding, and reports progress. Returns when the last record arrived.
    /// </summary>
    private async ValueTask<long> ConsumeAsync(
        Func<CancellationToken, ValueTask> pollOnce, EndToEndArrivals arrivals, PerfProgress progress, long start, CancellationToken cancellationToken)
    {
        long idleTicks = (long)(PollTimeout.TotalSeconds * Stopwatch.Frequency);
        arrivals.LastReceived = start;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (AllRecordsAccountedFor(arrivals.Arrived))
            {
                return arrivals.LastReceived;
            }

            await pollOnce(cancellationToken);
            long now = Stopwatch.GetTimestamp();
            if (now - arrivals.LastReceived > idleTicks && Interlocked.Read(ref _sent) > arrivals.Arrived)
            {
                throw new ToolException($"poll() timed out before finding a result (timeout:[{PollTimeout.TotalMilliseconds}])");
            }

            if (progress.IsDue(now))
            {
                ReportProgress(progress, arrivals.Latencies, arrivals.TakeWindow(), now);
            }
        }
    }
}
