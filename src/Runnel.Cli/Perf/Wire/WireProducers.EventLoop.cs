using System.Diagnostics;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// The event loop: one thread that hands the schedule's records to the producers and sends their
/// batches; it never reads a socket (the receive loops do) and never waits for a response but when
/// a producer has no free in-flight slot.
/// </summary>
/// <remarks>
/// Each turn: records whose scheduled time has come (up to 0.2 ms early, as the tool's other senders)
/// become due, record i to producer i mod N; the producers that got records, those a receive loop
/// woke (a slot freed) and those whose linger expired are offered the chance to send; then the
/// thread sleeps until the next record is due, a linger expires or a receive loop wakes it. A
/// producer sends a batch when its unsent records fill one (batch.size) or its oldest unsent record
/// has waited linger.ms since its scheduled time, and it has a free slot
/// (max.in.flight.requests.per.connection); otherwise its records wait and their latency keeps
/// counting from the schedule (no coordinated omission). A batch takes the producer's oldest unsent
/// records, up to a full batch. Records are only encoded when their batch is sent: until then a
/// producer's unsent records are a count. Sleeps last at least a millisecond (the OS timer), so at
/// high rates records go in bursts up to about a millisecond late, which the latency shows; the
/// thread does not spin.
/// </remarks>
internal sealed partial class WireProducers
{
    /// <summary>How early a record may go, as <see cref="ProducerPerformance.WaitUntil"/> allows: keeps the rate without spinning.</summary>
    private static readonly long s_early = Stopwatch.Frequency / 5000;

    /// <summary>The longest sleep while only a receive loop's wake-up can bring work: a safety net, not a poll.</summary>
    private const int MaxIdleWaitMs = 100;

    private readonly AutoResetEvent _wake = new(false);
    private readonly ProducerWakeQueue _wakeQueue;
    private readonly PriorityQueue<int, long> _lingering = new();
    private FixedRateSchedule _schedule;
    private long _lingerTicks;
    private long _due;
    private string? _failure;
    private int _draining;

    /// <summary>
    /// Runs the event loop on the calling thread: sends every record of <paramref name="schedule"/>
    /// (or until <paramref name="stop"/>), then waits for every response in flight, for at most
    /// request.timeout.ms (or until <paramref name="abort"/>), failing those that do not come. Every
    /// outcome has been reported when it returns. A failed connection ends the run with a
    /// <see cref="ToolException"/>.
    /// </summary>
    public void Run(FixedRateSchedule schedule, CancellationToken stop, CancellationToken abort)
    {
        try
        {
            SendOnSchedule(schedule, stop);
        }
        finally
        {
            Drain(abort);
        }
    }

    /// <summary>A receive loop finished a request of <paramref name="producer"/> (answered or failed).</summary>
    internal void OnRequestCompleted(int producer)
    {
        if (_producers[producer].TryClaimWake())
        {
            _wakeQueue.Enqueue(producer);
            _wake.Set();
        }
        else if (Volatile.Read(ref _draining) != 0)
        {
            _wake.Set();
        }
    }

    /// <summary>A connection broke: the run stops at the event loop's next turn.</summary>
    internal void OnConnectionFailed(string reason)
    {
        Interlocked.CompareExchange(ref _failure, reason, null);
        _wake.Set();
    }

    private void SendOnSchedule(FixedRateSchedule schedule, CancellationToken stop)
    {
        using CancellationTokenRegistration wakeOnStop = stop.Register(static wake => ((AutoResetEvent)wake!).Set(), _wake);
        _schedule = schedule;
        _lingerTicks = (long)(_options.LingerMs * Stopwatch.Frequency / 1000);
        int producers = _producers.Length;
        long sent = 0;
        while (sent < schedule.Records && !stop.IsCancellationRequested)
        {
            if (Volatile.Read(ref _failure) is { } failure)
            {
                // Without the "Error:" prefix: the consumer loop reports it as why the sender stopped.
                throw new ToolException(failure);
            }

            long now = Stopwatch.GetTimestamp();
            long horizon = now + s_early;
            long before = _due;
            while (_due < schedule.Records && schedule.ScheduledAt(_due) <= horizon)
            {
                _due++;
            }

            // Each producer that got records is offered once, in schedule order, so records due
            // together leave in one batch.
            long touched = Math.Min(_due - before, producers);
            for (long i = before; i < before + touched; i++)
            {
                sent += Offer(_producers[(int)(i % producers)], horizon);
            }

            while (_wakeQueue.TryDequeue(out int woken))
            {
                sent += Offer(_producers[woken], horizon);
            }

            while (_lingering.TryPeek(out int lingering, out long deadline) && deadline <= horizon)
            {
                _lingering.Dequeue();
                WireProducer producer = _producers[lingering];
                if (producer.QueuedLingerDeadline == deadline)
                {
                    producer.QueuedLingerDeadline = 0;
                }

                sent += Offer(producer, horizon);
            }

            long next = _due < schedule.Records ? schedule.ScheduledAt(_due) : long.MaxValue;
            if (_lingering.TryPeek(out _, out long lingerAt))
            {
                next = Math.Min(next, lingerAt);
            }

            if (sent < schedule.Records && next - now > s_early)
            {
                long waitMs = next == long.MaxValue ? MaxIdleWaitMs : Math.Min(MaxIdleWaitMs, (next - now) * 1000 / Stopwatch.Frequency);
                _wake.WaitOne((int)Math.Max(1, waitMs));
            }
        }
    }

    /// <summary>
    /// Sends the batches <paramref name="producer"/> has ready, as long as it has a free slot; returns
    /// the records sent. Queues a linger wake-up when a partial batch must wait, and asks the receive
    /// loops for a wake-up when records are ready but every slot is taken.
    /// </summary>
    private int Offer(WireProducer producer, long horizon)
    {
        int producers = _producers.Length;
        int sent = 0;
        while (true)
        {
            // This producer's records are k, k + N, ...: how many of them are due, and the oldest unsent.
            long due = _due > producer.Index ? ((_due - producer.Index - 1) / producers) + 1 : 0;
            long unsent = due - producer.Sent;
            if (unsent <= 0)
            {
                return sent;
            }

            long oldest = producer.Index + (producer.Sent * producers);
            if (unsent < _encoder.RecordsPerBatch)
            {
                long deadline = _schedule.ScheduledAt(oldest) + _lingerTicks;
                if (deadline > horizon)
                {
                    if (producer.QueuedLingerDeadline != deadline)
                    {
                        producer.QueuedLingerDeadline = deadline;
                        _lingering.Enqueue(producer.Index, deadline);
                    }

                    return sent;
                }
            }

            WireProducerConnection? connection = producer.TakeNextPartition(out int partition);
            if (connection is null)
            {
                producer.MarkWaitingForRoom();
                connection = producer.TakeNextPartition(out partition);
                if (connection is null)
                {
                    return sent;
                }

                producer.ClearWaitingForRoom();
            }

            int count = (int)Math.Min(unsent, _encoder.RecordsPerBatch);
            int correlationId = connection.NextCorrelationId();
            ReadOnlySpan<byte> frame = _encoder.Encode(connection.ProduceVersion, correlationId, partition, _schedule, oldest, producers, count);
            _outcomes.Sent(count);
            connection.Send(frame, correlationId, partition, count);
            producer.Sent += count;
            sent += count;
        }
    }

    /// <summary>
    /// Waits until no request is in flight, for at most request.timeout.ms; then fails what is left
    /// (the receive loops report it) and waits for those reports, so the counts are final.
    /// </summary>
    private void Drain(CancellationToken abort)
    {
        Volatile.Write(ref _draining, 1);
        using CancellationTokenRegistration wakeOnAbort = abort.Register(static wake => ((AutoResetEvent)wake!).Set(), _wake);
        long deadline = Stopwatch.GetTimestamp() + (_options.RequestTimeoutMs * Stopwatch.Frequency / 1000);
        while (AnyInFlight() && !abort.IsCancellationRequested)
        {
            long remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                break;
            }

            _wake.WaitOne((int)Math.Clamp(remaining * 1000 / Stopwatch.Frequency, 1, MaxIdleWaitMs));
        }

        if (!AnyInFlight())
        {
            return;
        }

        string reason = abort.IsCancellationRequested
            ? "interrupted before a response arrived"
            : $"no response within {_options.RequestTimeoutMs} ms (request.timeout.ms)";
        foreach (WireProducerConnection connection in _connections)
        {
            connection.Abort(reason);
        }

        while (AnyInFlight())
        {
            _wake.WaitOne(MaxIdleWaitMs);
        }
    }

    private bool AnyInFlight()
    {
        foreach (WireProducerConnection connection in _connections)
        {
            if (connection.InFlight > 0)
            {
                return true;
            }
        }

        return false;
    }
}
