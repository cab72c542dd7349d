using System.Text;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Transactions;

/// <summary>
/// The transaction coordinator's answers on the wire, per API version: epoch bumps and KIP-360
/// retries, fencing errors as old and new clients expect them, Kafka's EndTxn state table, KIP-890
/// verification of produce and TxnOffsetCommit, and the admin views.
/// </summary>
public sealed class TransactionProtocolTests : IAsyncLifetime
{
    private const string Topic = "accounts";
    private readonly TempDirectory _dir = new("txn-wire");
    private RunnelBroker _broker = null!;
    private WireClient _client = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = _dir.Path }, Cancel);
        using (var admin = Clients.CreateAdmin(_broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 2, ReplicationFactor = 1 }]);
        }

        _client = await WireClient.ConnectAsync("127.0.0.1", _broker.Port, Cancel);
        await _broker.Host.TransactionCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<InitProducerIdResponse> InitAsync(string transactionalId, short version = 4, long producerId = -1, short epoch = -1, int timeoutMs = 60_000) =>
        await _client.SendAsync<InitProducerIdResponse>(
            new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = timeoutMs, ProducerId = producerId, ProducerEpoch = epoch }, version, cancellationToken: Cancel);

    private async Task<short> AddPartitionAsync(string transactionalId, long producerId, short epoch, short version = 0, int partition = 0, string topic = Topic)
    {
        var response = await _client.SendAsync<AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = transactionalId,
            V3AndBelowProducerId = producerId,
            V3AndBelowProducerEpoch = epoch,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = topic, Partitions = [partition] }],
        }, version, cancellationToken: Cancel);
        return response.ResultsByTopicV3AndBelow[0].ResultsByPartition[0].PartitionErrorCode;
    }

    private async Task<short> EndAsync(string transactionalId, long producerId, short epoch, bool commit, short version = 1) =>
        (await _client.SendAsync<EndTxnResponse>(new EndTxnRequest { TransactionalId = transactionalId, ProducerId = producerId, ProducerEpoch = epoch, Committed = commit }, version, cancellationToken: Cancel)).ErrorCode;

    private async Task<short> ProduceAsync(string? transactionalId, long producerId, short epoch, int sequence, short version = 9)
    {
        var batch = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = sequence, IsTransactional = true }
            .Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes("v" + sequence)).ToArray();
        var response = await _client.SendAsync<ProduceResponse>(new ProduceRequest
        {
            TransactionalId = transactionalId,
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, version, cancellationToken: Cancel);
        return response.Responses[0].PartitionResponses[0].ErrorCode;
    }

    [Fact]
    public async Task InitProducerId_bumps_the_epoch_fences_older_instances_and_answers_a_KIP_360_retry_with_the_same_epoch()
    {
        var first = await InitAsync("bumps");
        Assert.Equal((0, (short)0), (first.ErrorCode, first.ProducerEpoch));
        var second = await InitAsync("bumps");
        Assert.Equal((0, first.ProducerId, (short)1), (second.ErrorCode, second.ProducerId, second.ProducerEpoch));

        // KIP-360: the holder of epoch 1 bumps to 2; a retry of that same call gets 2 again; epoch 0 is fenced.
        var bumped = await InitAsync("bumps", 4, first.ProducerId, 1);
        Assert.Equal((0, (short)2), (bumped.ErrorCode, bumped.ProducerEpoch));
        var retried = await InitAsync("bumps", 4, first.ProducerId, 1);
        Assert.Equal((0, (short)2), (retried.ErrorCode, retried.ProducerEpoch));
        Assert.Equal((short)ErrorCode.ProducerFenced, (await InitAsync("bumps", 4, first.ProducerId, 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, (await InitAsync("bumps", 3, first.ProducerId, 0)).ErrorCode);
        Assert.Equal((short)ErrorCode.ProducerFenced, (await InitAsync("bumps", 4, first.ProducerId + 1000, 2)).ErrorCode);

        Assert.Equal((short)ErrorCode.InvalidTransactionTimeout, (await InitAsync("bumps", timeoutMs: 900_001)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidTransactionTimeout, (await InitAsync("bumps", timeoutMs: 0)).ErrorCode);
    }

    [Fact]
    public async Task Fencing_errors_follow_the_request_version_and_EndTxn_follows_Kafkas_state_table()
    {
        var init = await InitAsync("table");
        var (pid, epoch) = (init.ProducerId, init.ProducerEpoch);

        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync("table", pid, epoch, commit: true));
        Assert.Equal((short)ErrorCode.InvalidProducerIdMapping, await EndAsync("unknown-id", pid, epoch, commit: true));
        Assert.Equal((short)ErrorCode.InvalidProducerIdMapping, await EndAsync("table", pid + 1, epoch, commit: true));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, await AddPartitionAsync("table", pid, (short)(epoch + 1), version: 0));
        Assert.Equal((short)ErrorCode.ProducerFenced, await AddPartitionAsync("table", pid, (short)(epoch + 1), version: 3));
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, await AddPartitionAsync("table", pid, epoch, partition: 7));

        Assert.Equal(0, await AddPartitionAsync("table", pid, epoch));
        Assert.Equal(0, await ProduceAsync("table", pid, epoch, 0));
        Assert.Equal(0, await EndAsync("table", pid, epoch, commit: true));
        Assert.Equal(0, await EndAsync("table", pid, epoch, commit: true));
        Assert.Equal((short)ErrorCode.InvalidTxnState, await EndAsync("table", pid, epoch, commit: false));

        // The commit answered after its marker: the last stable offset is past it.
        var partition = _broker.Host.Logs.GetLog(new Runnel.Storage.Log.TopicPartition(Topic, 0))!;
        Assert.Equal(partition.HighWatermark, partition.LastStableOffset);
        Assert.Equal(2, partition.HighWatermark);
    }

    [Fact]
    public async Task A_transactional_produce_to_a_partition_not_in_the_transaction_is_refused_by_verification()
    {
        var init = await InitAsync("verify");
        var (pid, epoch) = (init.ProducerId, init.ProducerEpoch);

        Assert.Equal((short)ErrorCode.InvalidTxnState, await ProduceAsync("verify", pid, epoch, 0, version: 9));
        Assert.Equal((short)ErrorCode.TransactionAbortable, await ProduceAsync("verify", pid, epoch, 0, version: 11));
        Assert.Equal((short)ErrorCode.TransactionalIdAuthorizationFailed, await ProduceAsync(null, pid, epoch, 0));

        Assert.Equal(0, await AddPartitionAsync("verify", pid, epoch));
        Assert.Equal(0, await ProduceAsync("verify", pid, epoch, 0));
        Assert.Equal(0, await EndAsync("verify", pid, epoch, commit: false));

        // After the abort marker the partition is no longer part of a transaction: no hanging transaction can start.
        Assert.Equal((short)ErrorCode.InvalidTxnState, await ProduceAsync("verify", pid, epoch, 1));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, await ProduceAsync("verify", pid, (short)(epoch + 1), 0));

        var offsets = await _client.SendAsync<TxnOffsetCommitResponse>(new TxnOffsetCommitRequest
        {
            TransactionalId = "verify",
            GroupId = "verified-group",
            ProducerId = pid,
            ProducerEpoch = epoch,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic { Name = Topic, Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 1 }] }],
        }, 3, cancellationToken: Cancel);
        Assert.Equal((short)ErrorCode.InvalidTxnState, offsets.Topics[0].Partitions[0].ErrorCode);
    }

    [Fact]
    public async Task AddPartitionsToTxn_v4_adds_for_several_transactions_at_once_and_verify_only_checks_without_adding()
    {
        var first = await InitAsync("batched-1");
        var second = await InitAsync("batched-2");
        AddPartitionsToTxnRequest.AddPartitionsToTxnTransaction Transaction(string id, InitProducerIdResponse init, bool verifyOnly, params int[] partitions) => new()
        {
            TransactionalId = id,
            ProducerId = init.ProducerId,
            ProducerEpoch = init.ProducerEpoch,
            VerifyOnly = verifyOnly,
            Topics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = Topic, Partitions = [.. partitions] }],
        };

        var added = await _client.SendAsync<AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
        {
            Transactions = [Transaction("batched-1", first, false, 0), Transaction("batched-2", second, true, 0, 1)],
        }, 4, cancellationToken: Cancel);
        Assert.Equal(["batched-1", "batched-2"], added.ResultsByTransaction.Select(r => r.TransactionalId));
        Assert.Equal([(short)0], added.ResultsByTransaction[0].TopicResults[0].ResultsByPartition.Select(p => p.PartitionErrorCode));
        Assert.Equal([(short)ErrorCode.TransactionAbortable, (short)ErrorCode.TransactionAbortable], added.ResultsByTransaction[1].TopicResults[0].ResultsByPartition.Select(p => p.PartitionErrorCode));

        // Verification reports what was added (partition 0 of batched-1) and adds nothing itself.
        var verified = await _client.SendAsync<AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
        {
            Transactions = [Transaction("batched-1", first, true, 0, 1)],
        }, 5, cancellationToken: Cancel);
        Assert.Equal([(short)0, (short)ErrorCode.TransactionAbortable], verified.ResultsByTransaction[0].TopicResults[0].ResultsByPartition.Select(p => p.PartitionErrorCode));
        var described = await _client.SendAsync<DescribeTransactionsResponse>(new DescribeTransactionsRequest { TransactionalIds = ["batched-1", "batched-2"] }, 0, cancellationToken: Cancel);
        Assert.Equal(("Ongoing", "Empty"), (described.TransactionStates[0].TransactionState, described.TransactionStates[1].TransactionState));
        Assert.Equal([0], Assert.Single(described.TransactionStates[0].Topics).Partitions);
    }

    private async Task<TxnOffsetCommitResponse> TxnOffsetCommitAsync(string transactionalId, InitProducerIdResponse init, string group, long offset, short version, int generation = -1, string memberId = "") =>
        await _client.SendAsync<TxnOffsetCommitResponse>(new TxnOffsetCommitRequest
        {
            TransactionalId = transactionalId,
            GroupId = group,
            ProducerId = init.ProducerId,
            ProducerEpoch = init.ProducerEpoch,
            GenerationId = generation,
            MemberId = memberId,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic { Name = Topic, Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = offset }] }],
        }, version, cancellationToken: Cancel);

    private async Task<short> AddOffsetsAsync(string transactionalId, InitProducerIdResponse init, string group) =>
        (await _client.SendAsync<AddOffsetsToTxnResponse>(new AddOffsetsToTxnRequest { TransactionalId = transactionalId, ProducerId = init.ProducerId, ProducerEpoch = init.ProducerEpoch, GroupId = group }, 1, cancellationToken: Cancel)).ErrorCode;

    [Fact]
    public async Task TxnOffsetCommit_without_member_fields_is_accepted_by_a_KIP_848_group_with_members_and_checks_them_when_given()
    {
        const string Group = "kip848-txn";
        await using var member = await Groups.WireConsumerMember.ConnectAsync(_broker.Port, Group, null);
        await member.JoinAsync([Topic]);
        var init = await InitAsync("kip848-producer");
        Assert.Equal(0, await AddOffsetsAsync("kip848-producer", init, Group));

        // KafkaJS sends v1 without member fields: accepted, as Kafka's ConsumerGroup.validateOffsetCommit does.
        Assert.Equal(0, (await TxnOffsetCommitAsync("kip848-producer", init, Group, 5, version: 1)).Topics[0].Partitions[0].ErrorCode);

        // With member fields they must match: an unknown member, or a stale epoch (ILLEGAL_GENERATION, Kafka's mapping).
        Assert.Equal((short)ErrorCode.UnknownMemberId, (await TxnOffsetCommitAsync("kip848-producer", init, Group, 5, version: 3, generation: member.MemberEpoch, memberId: "someone-else")).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal((short)ErrorCode.IllegalGeneration, (await TxnOffsetCommitAsync("kip848-producer", init, Group, 5, version: 3, generation: member.MemberEpoch + 7, memberId: member.MemberId)).Topics[0].Partitions[0].ErrorCode);
        Assert.Equal(0, (await TxnOffsetCommitAsync("kip848-producer", init, Group, 6, version: 3, generation: member.MemberEpoch, memberId: member.MemberId)).Topics[0].Partitions[0].ErrorCode);

        // RequireStable sees the pending offset as unstable until the commit marker applies it.
        var unstable = await _client.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = Group, RequireStable = true, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = Topic, PartitionIndexes = [0] }] }, 7, cancellationToken: Cancel);
        Assert.Equal(((short)ErrorCode.UnstableOffsetCommit, -1L), (unstable.Topics[0].Partitions[0].ErrorCode, unstable.Topics[0].Partitions[0].CommittedOffset));
        Assert.Equal(0, await EndAsync("kip848-producer", init.ProducerId, init.ProducerEpoch, commit: true));
        var stable = await _client.SendAsync<OffsetFetchResponse>(new OffsetFetchRequest { GroupId = Group, RequireStable = true, Topics = [new OffsetFetchRequest.OffsetFetchRequestTopic { Name = Topic, PartitionIndexes = [0] }] }, 7, cancellationToken: Cancel);
        Assert.Equal((0, 6L), (stable.Topics[0].Partitions[0].ErrorCode, stable.Topics[0].Partitions[0].CommittedOffset));
    }

    [Fact]
    public async Task Deleting_a_topic_drops_its_pending_transactional_offsets_so_a_later_commit_does_not_bring_them_back()
    {
        const string Doomed = "doomed";
        using (var admin = Clients.CreateAdmin(_broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Doomed, NumPartitions = 1, ReplicationFactor = 1 }]);
        }

        var init = await InitAsync("doomed-producer");
        Assert.Equal(0, await AddOffsetsAsync("doomed-producer", init, "doomed-group"));
        var committed = await _client.SendAsync<TxnOffsetCommitResponse>(new TxnOffsetCommitRequest
        {
            TransactionalId = "doomed-producer",
            GroupId = "doomed-group",
            ProducerId = init.ProducerId,
            ProducerEpoch = init.ProducerEpoch,
            Topics = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestTopic { Name = Doomed, Partitions = [new TxnOffsetCommitRequest.TxnOffsetCommitRequestPartition { PartitionIndex = 0, CommittedOffset = 42 }] }],
        }, 3, cancellationToken: Cancel);
        Assert.Equal(0, committed.Topics[0].Partitions[0].ErrorCode);

        using (var admin = Clients.CreateAdmin(_broker.BootstrapServers))
        {
            await admin.DeleteTopicsAsync([Doomed]);
        }

        Assert.Equal(0, await EndAsync("doomed-producer", init.ProducerId, init.ProducerEpoch, commit: true));
        var (error, offsets) = _broker.Host.GroupCoordinator.FetchOffsets("doomed-group", [(Doomed, [0])]);
        Assert.Equal(ErrorCode.None, error);
        Assert.Null(Assert.Single(Assert.Single(offsets).Partitions).Offset);
    }

    [Fact]
    public async Task A_new_instance_aborts_the_open_transaction_of_the_old_one_and_the_admin_APIs_show_each_state()
    {
        var old = await InitAsync("admin");
        Assert.Equal(0, await AddPartitionAsync("admin", old.ProducerId, old.ProducerEpoch, partition: 1));
        Assert.Equal(0, await AddPartitionAsync("admin", old.ProducerId, old.ProducerEpoch, partition: 0));

        var described = await _client.SendAsync<DescribeTransactionsResponse>(new DescribeTransactionsRequest { TransactionalIds = ["admin", "nobody"] }, 0, cancellationToken: Cancel);
        var state = described.TransactionStates[0];
        Assert.Equal((0, "Ongoing", old.ProducerId, 60_000), (state.ErrorCode, state.TransactionState, state.ProducerId, state.TransactionTimeoutMs));
        Assert.Equal([0, 1], Assert.Single(state.Topics).Partitions.Order());
        Assert.True(state.TransactionStartTimeMs > 0);
        Assert.Equal((short)ErrorCode.TransactionalIdNotFound, described.TransactionStates[1].ErrorCode);

        var listed = await _client.SendAsync<ListTransactionsResponse>(new ListTransactionsRequest { StateFilters = ["Ongoing", "Sleeping"] }, 1, cancellationToken: Cancel);
        Assert.Equal(["admin"], listed.TransactionStates.Select(t => t.TransactionalId));
        Assert.Equal(["Sleeping"], listed.UnknownStateFilters);

        // The new instance's first call aborts the open transaction and asks it to retry.
        Assert.Equal((short)ErrorCode.ConcurrentTransactions, (await InitAsync("admin")).ErrorCode);
        var successor = await InitAsync("admin");
        Assert.Equal((0, old.ProducerId, (short)(old.ProducerEpoch + 2)), (successor.ErrorCode, successor.ProducerId, successor.ProducerEpoch));
        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, await EndAsync("admin", old.ProducerId, old.ProducerEpoch, commit: true, version: 1));
        Assert.Equal((short)ErrorCode.ProducerFenced, await EndAsync("admin", old.ProducerId, old.ProducerEpoch, commit: true, version: 2));

        described = await _client.SendAsync<DescribeTransactionsResponse>(new DescribeTransactionsRequest { TransactionalIds = ["admin"] }, 0, cancellationToken: Cancel);
        Assert.Equal("Empty", described.TransactionStates[0].TransactionState);
        listed = await _client.SendAsync<ListTransactionsResponse>(new ListTransactionsRequest { StateFilters = ["CompleteAbort", "Ongoing"] }, 1, cancellationToken: Cancel);
        Assert.Empty(listed.TransactionStates);
    }
}
