using System.Text;
using Confluent.Kafka;
using ErrorCode = Runnel.Protocol.ErrorCode;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.Broker.Handlers;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;
using StorageTopicPartition = Runnel.Storage.Log.TopicPartition;

namespace Runnel.IntegrationTests.Transactions;

/// <summary>
/// Transaction version 2 (KIP-890 part 2) on the wire, as a Java 4.x client runs it: no
/// AddPartitionsToTxn or AddOffsetsToTxn (Produce v12 and TxnOffsetCommit v5 add their partitions),
/// an epoch bump at every EndTxn v5 with the next epoch in its answer, Kafka's TV2 retry table, the
/// move to a new producer id when the epoch is exhausted, and a timed-out transaction fencing its
/// producer. No client available here speaks TV2 (librdkafka, KafkaJS and kafka-python stay on
/// TV1), so requests are sent by hand and the results read back with Confluent.Kafka.
/// </summary>
public sealed class TransactionV2Tests : IAsyncLifetime
{
    private const string Topic = "ledger";
    private readonly TempDirectory _dir = new("txn-v2");
    private RunnelBroker _broker = null!;
    private WireClient _client = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await StartAsync();

    private async Task StartAsync()
    {
        _broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions
        {
            DataDirectory = _dir.Path,
            Config = new Dictionary<string, string> { ["transaction.abort.timed.out.transaction.cleanup.interval.ms"] = "100" },
        }, Cancel);
        using (var admin = Clients.CreateAdmin(_broker.BootstrapServers))
        {
            if (admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.All(t => t.Topic != Topic))
            {
                await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 2, ReplicationFactor = 1 }]);
            }
        }

        _client = await WireClient.ConnectAsync("127.0.0.1", _broker.Port, Cancel);
        await _broker.Host.TransactionCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
    }

    private async Task RestartAsync()
    {
        await _client.DisposeAsync();
        await _broker.DisposeAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(long ProducerId, short Epoch)> InitAsync(string transactionalId, int timeoutMs = 60_000)
    {
        var init = await _client.SendAsync<InitProducerIdResponse>(
            new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = timeoutMs, ProducerId = -1, ProducerEpoch = -1 }, 5, cancellationToken: Cancel);
        Assert.Equal(0, init.ErrorCode);
        return (init.ProducerId, init.ProducerEpoch);
    }

    /// <summary>Produce v12 of one transactional record to each given partition; the error per partition.</summary>
    private async Task<short[]> ProduceAsync(string transactionalId, long producerId, short epoch, int sequence, string value, short version = 12, params int[] partitions)
    {
        var data = partitions.Select(p => new ProduceRequest.PartitionProduceData
        {
            Index = p,
            Records = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence, IsTransactional = true }
                .Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes($"{value}-p{p}")).ToArray(),
        }).ToList();
        var response = await _client.SendAsync<ProduceResponse>(new ProduceRequest
        {
            TransactionalId = transactionalId,
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = data }],
        }, version, cancellationToken: Cancel);
        return [.. response.Responses[0].PartitionResponses.Select(p => p.ErrorCode)];
    }

    private async Task<EndTxnResponse> EndAsync(string transactionalId, long producerId, short epoch, bool commit, short version = 5) =>
        await _client.SendAsync<EndTxnResponse>(new EndTxnRequest { TransactionalId = transactionalId, ProducerId = producerId, ProducerEpoch = epoch, Committed = commit }, version, cancellationToken: Cancel);

    private static void AssertEnd(EndTxnResponse response, ErrorCode error, long producerId, short epoch) =>
        Assert.Equal(((short)error, producerId, epoch), (response.ErrorCode, response.ProducerId, response.ProducerEpoch));

    private async Task<short> TxnOffsetCommitAsync(string transactionalId, long producerId, short epoch, string group, long offset, short version = 5) =>
        (await _client.SendAsync<TxnOffsetCommitResponse>(new TxnOffsetCommitRequest
        {
            TransactionalId = transactionalId,
            GroupId = group,
            ProducerId = producerId,
            ProducerEpoch = epoch,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic { Name = Topic, Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }] }],
        }, version, cancellationToken: Cancel)).Topics[0].Partitions[0].ErrorCode;

    private async Task<DescribeTransactionsResponse.TransactionStateStruct> DescribeAsync(string transactionalId) =>
        (await _client.SendAsync<DescribeTransactionsResponse>(new DescribeTransactionsRequest { TransactionalIds = [transactionalId] }, 0, cancellationToken: Cancel)).TransactionStates[0];

    private List<string> Read(IsolationLevel isolation) => [.. TransactionTests.ReadAll(_broker, Topic, isolation).Order()];

    [Fact]
    public async Task ApiVersions_reports_transaction_version_2_with_the_api_versions_it_needs()
    {
        var versions = await _client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "runnel-tests", ClientSoftwareVersion = "1.0" }, 3, cancellationToken: Cancel);
        var finalized = Assert.Single(versions.FinalizedFeatures, f => f.Name == BrokerFeatures.TransactionVersion);
        Assert.Equal((2, 2), (finalized.MinVersionLevel, finalized.MaxVersionLevel));
        var supported = Assert.Single(versions.SupportedFeatures, f => f.Name == BrokerFeatures.TransactionVersion);
        Assert.Equal((0, 2), (supported.MinVersion, supported.MaxVersion));
        Assert.True(versions.FinalizedFeaturesEpoch >= 0);

        short Max(ApiKey key) => versions.ApiKeys.Single(k => k.ApiKey == (short)key).MaxVersion;
        Assert.Equal((12, 5, 5), (Max(ApiKey.Produce), Max(ApiKey.TxnOffsetCommit), Max(ApiKey.EndTxn)));
    }

    [Fact]
    public async Task A_TV2_producer_adds_partitions_by_producing_and_each_EndTxn_hands_it_the_next_epoch()
    {
        var (pid, epoch) = await InitAsync("tv2");

        // No AddPartitionsToTxn: the produce itself opens the transaction in both partitions.
        Assert.Equal(new short[] { 0, 0 }, await ProduceAsync("tv2", pid, epoch, 0, "first", partitions: [0, 1]));
        var open = await DescribeAsync("tv2");
        Assert.Equal(("Ongoing", (short)0), (open.TransactionState, open.ErrorCode));
        Assert.Equal([0, 1], Assert.Single(open.Topics).Partitions.Order());

        // No AddOffsetsToTxn either: TxnOffsetCommit v5 adds the group's partition; another epoch is refused.
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, await TxnOffsetCommitAsync("tv2", pid, (short)(epoch + 1), "tv2-group", 3));
        Assert.Equal(0, await TxnOffsetCommitAsync("tv2", pid, epoch, "tv2-group", 7));
        var (_, pending) = _broker.Host.GroupCoordinator.FetchOffsets("tv2-group", [(Topic, [0])]);
        Assert.Null(Assert.Single(Assert.Single(pending).Partitions).Offset);

        // The commit bumps the epoch; the markers carry the new one.
        AssertEnd(await EndAsync("tv2", pid, epoch, commit: true), ErrorCode.None, pid, (short)(epoch + 1));
        Assert.Equal(["first-p0", "first-p1"], Read(IsolationLevel.ReadCommitted));
        var (_, committed) = _broker.Host.GroupCoordinator.FetchOffsets("tv2-group", [(Topic, [0])]);
        Assert.Equal(7, Assert.Single(Assert.Single(committed).Partitions).Offset?.Offset);

        // The old epoch is over everywhere: the partitions and the coordinator refuse it.
        Assert.Equal(new short[] { (short)ErrorCode.InvalidProducerEpoch }, await ProduceAsync("tv2", pid, epoch, 1, "zombie", partitions: [0]));

        // The next transaction runs at the new epoch from sequence 0; its abort bumps again.
        var next = (short)(epoch + 1);
        Assert.Equal(new short[] { 0 }, await ProduceAsync("tv2", pid, next, 0, "second", partitions: [0]));
        AssertEnd(await EndAsync("tv2", pid, next, commit: false), ErrorCode.None, pid, (short)(next + 1));
        Assert.Equal(["first-p0", "first-p1"], Read(IsolationLevel.ReadCommitted));
        Assert.Equal(["first-p0", "first-p1", "second-p0"], Read(IsolationLevel.ReadUncommitted));
        var log = _broker.Host.Logs.GetLog(new StorageTopicPartition(Topic, 0))!;
        Assert.Equal(log.HighWatermark, log.LastStableOffset);

        // A TV1 produce (v11) still needs AddPartitionsToTxn, whatever the id did before.
        Assert.Equal(new short[] { (short)ErrorCode.TransactionAbortable }, await ProduceAsync("tv2", pid, (short)(next + 1), 0, "v11", version: 11, partitions: [0]));
    }

    [Fact]
    public async Task EndTxn_v5_tells_a_retry_from_the_next_transaction_by_its_epoch_as_Kafkas_TV2_table_says()
    {
        var (pid, e) = await InitAsync("table-v2");

        // Empty: committing nothing is invalid; aborting nothing bumps the epoch (a TV2 client's reset).
        AssertEnd(await EndAsync("table-v2", pid, e, commit: true), ErrorCode.InvalidTxnState, -1, -1);
        AssertEnd(await EndAsync("table-v2", pid, e, commit: false), ErrorCode.None, pid, (short)(e + 1));

        // CompleteAbort: a retry of that abort (the old epoch) gets the same answer; a commit retry is invalid.
        AssertEnd(await EndAsync("table-v2", pid, e, commit: false), ErrorCode.None, pid, (short)(e + 1));
        AssertEnd(await EndAsync("table-v2", pid, e, commit: true), ErrorCode.InvalidTxnState, -1, -1);

        // The current epoch aborting again is a new (empty) abort; two epochs back is fenced.
        AssertEnd(await EndAsync("table-v2", pid, (short)(e + 1), commit: false), ErrorCode.None, pid, (short)(e + 2));
        AssertEnd(await EndAsync("table-v2", pid, e, commit: false), ErrorCode.ProducerFenced, -1, -1);

        // Ongoing: only the current epoch ends it.
        var current = (short)(e + 2);
        Assert.Equal(new short[] { 0 }, await ProduceAsync("table-v2", pid, current, 0, "t", partitions: [1]));
        AssertEnd(await EndAsync("table-v2", pid, (short)(current - 1), commit: true), ErrorCode.ProducerFenced, -1, -1);
        AssertEnd(await EndAsync("table-v2", pid, current, commit: true), ErrorCode.None, pid, (short)(current + 1));

        // CompleteCommit: a commit retry succeeds again, an abort retry is invalid, a commit at the new epoch has nothing to commit.
        AssertEnd(await EndAsync("table-v2", pid, current, commit: true), ErrorCode.None, pid, (short)(current + 1));
        AssertEnd(await EndAsync("table-v2", pid, current, commit: false), ErrorCode.InvalidTxnState, -1, -1);
        AssertEnd(await EndAsync("table-v2", pid, (short)(current + 1), commit: true), ErrorCode.InvalidTxnState, -1, -1);
        AssertEnd(await EndAsync("table-v2", pid + 1, (short)(current + 1), commit: true), ErrorCode.InvalidProducerIdMapping, -1, -1);
        Assert.Equal(["t-p1"], Read(IsolationLevel.ReadCommitted));

        // A TV1 EndTxn (v4) keeps the TV1 rules: no bump, and no producer fields in its answer.
        Assert.Equal(new short[] { 0 }, await ProduceAsync("table-v2", pid, (short)(current + 1), 0, "u", partitions: [1]));
        Assert.Equal(0, (await EndAsync("table-v2", pid, (short)(current + 1), commit: true, version: 4)).ErrorCode);
        Assert.Equal((short)(current + 1), (await DescribeAsync("table-v2")).ProducerEpoch);
    }

    [Fact]
    public async Task The_EndTxn_that_exhausts_the_epoch_moves_the_producer_to_a_new_producer_id_which_survives_a_restart()
    {
        var (pid, _) = await InitAsync("exhausted");

        // Fast-forward the id to the last usable epoch, as 32766 transactions would, and reload it.
        var coordinator = _broker.Host.TransactionCoordinator;
        var state = _broker.Host.Logs.GetLog(new StorageTopicPartition(TransactionCoordinator.StateTopic, coordinator.PartitionFor("exhausted")))!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var seeded = new TransactionTransit(pid, -1, TransactionCoordinator.ExhaustedEpoch, -1, 60_000, TransactionState.CompleteCommit, [], -1, now, -1, TransactionVersions.V2);
        state.Append(new RecordBatchBuilder().Append(now, TransactionLogRecords.Key("exhausted"), TransactionLogRecords.Value(seeded)).ToArray(), 0, false);
        await RestartAsync();

        const short Last = TransactionCoordinator.ExhaustedEpoch;
        Assert.Equal(new short[] { 0 }, await ProduceAsync("exhausted", pid, Last, 0, "last", partitions: [0]));
        var end = await EndAsync("exhausted", pid, Last, commit: true);
        Assert.Equal((0, (short)0), (end.ErrorCode, end.ProducerEpoch));
        Assert.NotEqual(pid, end.ProducerId);
        var newPid = end.ProducerId;

        // A retry from the old producer id is recognised and answered the same.
        AssertEnd(await EndAsync("exhausted", pid, Last, commit: true), ErrorCode.None, newPid, 0);

        await RestartAsync();
        var described = await DescribeAsync("exhausted");
        Assert.Equal(("CompleteCommit", newPid, (short)0), (described.TransactionState, described.ProducerId, described.ProducerEpoch));
        Assert.Equal(new short[] { 0 }, await ProduceAsync("exhausted", newPid, 0, 0, "fresh", partitions: [0]));
        AssertEnd(await EndAsync("exhausted", newPid, 0, commit: true), ErrorCode.None, newPid, 1);
        Assert.Equal(["fresh-p0", "last-p0"], Read(IsolationLevel.ReadCommitted));
        Assert.Equal(new short[] { (short)ErrorCode.InvalidProducerIdMapping }, await ProduceAsync("exhausted", pid, Last, 1, "old", partitions: [0]));
    }

    [Fact]
    public async Task A_TV2_transaction_aborted_by_its_timeout_fences_its_producer()
    {
        var (pid, epoch) = await InitAsync("slow-v2", timeoutMs: 1000);
        Assert.Equal(new short[] { 0 }, await ProduceAsync("slow-v2", pid, epoch, 0, "late", partitions: [0]));
        await Eventually.TrueAsync(async () => (await DescribeAsync("slow-v2")).TransactionState == "CompleteAbort", "the timed-out transaction is aborted");

        // The abort bumped twice, so the producer's EndTxn cannot pass for a retry of it.
        Assert.Equal((short)(epoch + 2), (await DescribeAsync("slow-v2")).ProducerEpoch);
        AssertEnd(await EndAsync("slow-v2", pid, epoch, commit: true), ErrorCode.ProducerFenced, -1, -1);
        AssertEnd(await EndAsync("slow-v2", pid, epoch, commit: false), ErrorCode.ProducerFenced, -1, -1);
        Assert.Equal(new short[] { (short)ErrorCode.InvalidProducerEpoch }, await ProduceAsync("slow-v2", pid, epoch, 1, "later", partitions: [0]));
        Assert.Empty(Read(IsolationLevel.ReadCommitted));
    }
}
