using Runnel.Compat.ClientWrappers;
using Runnel.Compat.Infrastructure;
using Scenario = Runnel.TestKit.AbortedTransactionsScenario;

namespace Runnel.Compat;

/// <summary>
/// KafkaJS 2.2.4 consumers over <see cref="Runnel.TestKit.AbortedTransactionsScenario"/>: three
/// aborted transactions (two of them overlapping, from different producers) between committed
/// records. KafkaJS consumers are read_committed by default and drop aborted batches using the
/// aborted-transaction list of each Fetch response, of which they only ever check the head
/// (<c>src/consumer/filterAbortedMessages.js</c>), so the list must be sorted by first offset.
/// </summary>
public sealed class KafkaJsReadCommittedTests(AbortedTransactionsBrokerProcess broker) : CompatTest(broker), IClassFixture<AbortedTransactionsBrokerProcess>
{
    /// <summary>
    /// Fits the first two (padded, about 2 KB) batches but not the third, so the first fetch ends
    /// inside the first aborted transaction; the second fetch, from there, holds everything else.
    /// </summary>
    private const int MaxBytes = 6000;

    private readonly KafkaJsClient _client = new(broker.BootstrapServers);

    private static string NewGroup() => "kafkajs-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_read_committed_consumer_gets_exactly_the_committed_records()
    {
        var result = await _client.GroupConsumeAsync(broker.Topic, NewGroup(), Scenario.CommittedValues.Count, MaxBytes);

        AssertSucceeded(result, "consumer.run (read_committed)");
        AssertSequence(Scenario.CommittedValues, result.JsonLines.Events("record").Select(r => r.GetStringOrNull("value")), "values read", () => Context(result));

        // KafkaJS fetches again from the record after the last one it delivered (c0), so both
        // fetches hold T1's first batch; the overlapping T2 and T3 come in the second, whose list
        // starts with T2 (see FINDINGS.md for a fetch that starts inside both).
        AssertSequence(["0..1", "1..16"], result.JsonLines.Events("batch").Select(b => $"{b.GetProperty("firstOffset")}..{b.GetProperty("lastOffset")}"),
            "offsets of the fetched batches", () => Context(result));
    }

    [Fact]
    public async Task A_read_uncommitted_consumer_gets_every_data_record()
    {
        var result = await _client.GroupConsumeAsync(broker.Topic, NewGroup(), Scenario.AllValues.Count, MaxBytes, readUncommitted: true);

        AssertSucceeded(result, "consumer.run (read_uncommitted)");
        AssertSequence(Scenario.AllValues, result.JsonLines.Events("record").Select(r => r.GetStringOrNull("value")), "values read", () => Context(result));
    }
}
