using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>
/// Long-polling fetches (MaxWaitMs &gt; 0, MinBytes not met): woken by an append to any of their
/// partitions, answered empty at the deadline, and leaving no registration behind on the
/// partitions, whichever way the wait ended.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class LongPollFetchTests(BrokerFixture fixture)
{
    private static readonly TimeSpan s_registrationTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_append_to_any_partition_of_a_waiting_fetch_answers_it_with_that_record()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 4, prefix: "long-poll-wake");
        var cancel = TestContext.Current.CancellationToken;
        await using var consumer = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, cancel);
        await using var producer = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, cancel);

        var fetch = consumer.SendAsync<FetchResponse>(Fetch(topic, maxWaitMs: 120_000, [0, 0, 0, 0]), 12, cancellationToken: cancel);
        await WaitForWaitersAsync(topic, 4, 1);
        Assert.False(fetch.IsCompleted);

        await ProduceAsync(producer, topic, 3);
        var response = await fetch.WaitAsync(s_registrationTimeout, cancel);

        var partitions = Assert.Single(response.Responses).Partitions;
        Assert.Equal([0, 1, 2, 3], partitions.Select(p => p.PartitionIndex));
        Assert.Equal([true, true, true, false], partitions.Select(p => p.Records!.Value.IsEmpty));
        Assert.Equal(1, partitions[3].HighWatermark);
        await WaitForWaitersAsync(topic, 4, 0);
    }

    [Fact]
    public async Task One_connection_alternating_timed_out_and_woken_waits_gets_the_right_answer_to_each()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 2, prefix: "long-poll-alternate");
        var cancel = TestContext.Current.CancellationToken;
        await using var consumer = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, cancel);
        await using var producer = await WireClient.ConnectAsync("127.0.0.1", fixture.Broker.Port, cancel);
        long next = 0;
        for (var round = 0; round < 12; round++)
        {
            if (round % 2 == 0)
            {
                // Nothing arrives: answered empty, and not before the wait is over.
                var clock = Stopwatch.StartNew();
                var empty = await consumer.SendAsync<FetchResponse>(Fetch(topic, maxWaitMs: 30, [next, 0]), 12, cancellationToken: cancel);
                Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(25), $"round {round}: answered after {clock.Elapsed.TotalMilliseconds} ms");
                Assert.All(empty.Responses[0].Partitions, p => Assert.True(p.Records!.Value.IsEmpty));
            }
            else
            {
                var fetch = consumer.SendAsync<FetchResponse>(Fetch(topic, maxWaitMs: 120_000, [next, 0]), 12, cancellationToken: cancel);
                await WaitForWaitersAsync(topic, 2, 1);
                await ProduceAsync(producer, topic, 0);
                var woken = await fetch.WaitAsync(s_registrationTimeout, cancel);
                var partition = woken.Responses[0].Partitions[0];
                Assert.False(partition.Records!.Value.IsEmpty);
                next++;
                Assert.Equal(next, partition.HighWatermark);
            }

            await WaitForWaitersAsync(topic, 2, 0);
        }
    }

    [Fact]
    public async Task A_wait_ends_when_its_connection_closes_and_leaves_no_registration()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 2, prefix: "long-poll-close");
        var dispatcher = new RequestDispatcher(fixture.Broker.Host.Handlers, NullLoggerFactory.Instance);
        using var closed = new CancellationTokenSource();
        var context = new RequestContext(1, fixture.Broker.Host.Listeners[0], new IPEndPoint(IPAddress.Loopback, 1)) { ConnectionClosed = closed.Token };

        var frame = WireClient.EncodeRequest(Fetch(topic, maxWaitMs: 600_000, [0, 0]), 12, correlationId: 1);
        var dispatched = dispatcher.DispatchAsync(context, frame.AsMemory(4)).AsTask();
        await WaitForWaitersAsync(topic, 2, 1);
        Assert.False(dispatched.IsCompleted);

        await closed.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dispatched.WaitAsync(s_registrationTimeout, TestContext.Current.CancellationToken));
        await WaitForWaitersAsync(topic, 2, 0);
    }

    /// <summary>Waits until each partition of the topic has <paramref name="expected"/> long polls registered.</summary>
    private async Task WaitForWaitersAsync(string topic, int partitions, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var matched = 0;
            for (var p = 0; p < partitions; p++)
            {
                if (fixture.Broker.Host.Partitions.TryGet(topic, p, out Partition? partition) && partition.Notifier.WaiterCount == expected)
                {
                    matched++;
                }
            }

            if (matched == partitions)
            {
                return;
            }

            Assert.True(deadline.Elapsed < s_registrationTimeout, $"{matched} of {partitions} partitions of {topic} reached {expected} waiters");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    private static async Task ProduceAsync(WireClient producer, string topic, int partition)
    {
        var response = await producer.SendAsync<ProduceResponse>(WireRequests.Produce(1, (topic, [partition])), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((short)ErrorCode.None, response.Responses[0].PartitionResponses[0].ErrorCode);
    }

    /// <summary>A fetch of partitions 0..n-1 at the given offsets that waits for one byte.</summary>
    private static FetchRequest Fetch(string topic, int maxWaitMs, long[] offsets) =>
        WireRequests.Fetch(topic, offsets.Select((offset, p) => (p, offset)).ToArray(), maxWaitMs, minBytes: 1);
}
