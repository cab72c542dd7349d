using System.Buffers.Binary;
using System.Diagnostics;

namespace Runnel.PeerBench.Drivers;

/// <summary>
/// The peer-side workloads, each printing a summary line in the format of the matching
/// <c>runnel perf</c> tool: produce (unthrottled, a bounded window of unacknowledged publishes per
/// producer), consume (a backlog from the start), fixed-rate end-to-end latency and single-record
/// round trips. Latency runs from a record's publish (for fixed rate: its scheduled time, so a
/// stall is not hidden) until its ack or its delivery to the consumer.
/// </summary>
internal static class StreamDrivers
{
    public static async Task ProduceAsync(Uri server, string stream, long records, int recordSize, int window, int producers, TextWriter output, CancellationToken cancellationToken)
    {
        var payload = CreatePayload(recordSize);
        LatencyRecorder latencies = new(records);
        List<IStreamClient> clients = [];
        try
        {
            for (var p = 0; p < producers; p++)
            {
                var client = await StreamClients.ConnectAsync(server, stream, cancellationToken);
                clients.Add(client);
                await client.SetupAsync(cancellationToken);
            }

            var next = -1L;
            var start = Stopwatch.GetTimestamp();
            List<Task> lanes = [];
            foreach (var client in clients)
            {
                for (var lane = 0; lane < window; lane++)
                {
                    lanes.Add(PublishLaneAsync(client));
                }
            }

            await Task.WhenAll(lanes);
            output.WriteLine(latencies.Summary(records, recordSize, Stopwatch.GetElapsedTime(start)));

            // One lane keeps one publish outstanding; a producer's lanes together are its window.
            async Task PublishLaneAsync(IStreamClient client)
            {
                await Task.Yield();
                long index;
                while ((index = Interlocked.Increment(ref next)) < records)
                {
                    var sent = Stopwatch.GetTimestamp();
                    await client.PublishAsync(payload, cancellationToken);
                    latencies.Record(index, sent);
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    public static async Task ConsumeAsync(Uri server, string stream, long records, int recordSize, TextWriter output, CancellationToken cancellationToken)
    {
        await using var client = await StreamClients.ConnectAsync(server, stream, cancellationToken);
        var received = 0L;
        var start = Stopwatch.GetTimestamp();
        await client.ConsumeAsync(_ => ++received < records, cancellationToken);
        output.WriteLine(new LatencyRecorder(0).Summary(received, recordSize, Stopwatch.GetElapsedTime(start)));
    }

    /// <summary>
    /// Publishes at <paramref name="recordsPerSec"/> with up to <paramref name="window"/> publishes
    /// unacknowledged, and times each record from its scheduled send until the consumer receives it.
    /// Each payload starts with its record index.
    /// </summary>
    public static async Task FixedRateAsync(Uri server, string stream, long records, int recordSize, double recordsPerSec, int window, TextWriter output, CancellationToken cancellationToken)
    {
        await using var producer = await StreamClients.ConnectAsync(server, stream, cancellationToken);
        await using var consumer = await StreamClients.ConnectAsync(server, stream, cancellationToken);
        await producer.SetupAsync(cancellationToken);
        LatencyRecorder latencies = new(records);
        var start = Stopwatch.GetTimestamp();
        var ticksPerRecord = Stopwatch.Frequency / recordsPerSec;
        long Scheduled(long index) => start + (long)(index * ticksPerRecord);

        TaskCompletionSource allReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0L;
        var consuming = consumer.ConsumeAsync(
            body =>
            {
                latencies.Record(BinaryPrimitives.ReadInt64LittleEndian(body.Span), Scheduled(BinaryPrimitives.ReadInt64LittleEndian(body.Span)));
                return ++received < records;
            },
            cancellationToken);

        using SemaphoreSlim outstanding = new(window);
        List<Task> publishes = [];
        for (var i = 0L; i < records; i++)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Scheduled(i));
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            await outstanding.WaitAsync(cancellationToken);
            var payload = CreatePayload(recordSize);
            BinaryPrimitives.WriteInt64LittleEndian(payload, i);
            publishes.Add(PublishAndReleaseAsync(payload));
        }

        await Task.WhenAll(publishes);
        await consuming;
        output.WriteLine(latencies.Summary(records, recordSize, Stopwatch.GetElapsedTime(start)));

        async Task PublishAndReleaseAsync(byte[] payload)
        {
            try
            {
                await producer.PublishAsync(payload, cancellationToken);
            }
            finally
            {
                outstanding.Release();
            }
        }
    }

    /// <summary>Publishes one record at a time and waits for the consumer to receive it before the next (kafka-e2e-latency).</summary>
    public static async Task RoundTripAsync(Uri server, string stream, long records, int recordSize, TextWriter output, CancellationToken cancellationToken)
    {
        await using var producer = await StreamClients.ConnectAsync(server, stream, cancellationToken);
        await using var consumer = await StreamClients.ConnectAsync(server, stream, cancellationToken);
        await producer.SetupAsync(cancellationToken);
        LatencyRecorder latencies = new(records);
        SemaphoreSlim arrived = new(0);
        var received = 0L;
        var consuming = consumer.ConsumeAsync(
            _ =>
            {
                arrived.Release();
                return ++received < records;
            },
            cancellationToken);

        var payload = CreatePayload(recordSize);
        for (var i = 0L; i < records; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            await producer.PublishAsync(payload, cancellationToken);
            await arrived.WaitAsync(cancellationToken);
            latencies.Record(i, sent);
        }

        await consuming;
        arrived.Dispose();
        output.WriteLine(latencies.RoundTripSummary());
    }

    /// <summary>Random A–Z bytes, as <c>runnel perf produce --record-size</c> sends (at least 8 bytes, for the record index).</summary>
    private static byte[] CreatePayload(int recordSize)
    {
        var payload = new byte[Math.Max(recordSize, sizeof(long))];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)('A' + Random.Shared.Next(26));
        }

        return payload;
    }
}
