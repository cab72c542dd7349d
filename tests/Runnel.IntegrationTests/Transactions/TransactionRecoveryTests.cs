using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.Broker.Transactions;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;
using Runnel.TestKit;
using StorageTopicPartition = Runnel.Storage.Log.TopicPartition;

namespace Runnel.IntegrationTests.Transactions;

/// <summary>
/// Transactions across restarts and crashes: a stored commit decision is carried out after a
/// restart, an open transaction left behind is aborted by its timeout, and a broker killed with
/// SIGKILL at random points of a stream of transactions loses no committed record, shows no
/// aborted one to read_committed consumers, and leaves no partition's last stable offset stuck.
/// </summary>
public sealed class TransactionRecoveryTests
{
    private const string Topic = "transfers";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> FastAborts = new()
    {
        ["transaction.abort.timed.out.transaction.cleanup.interval.ms"] = "100",
    };

    private static async Task<RunnelBroker> StartAsync(string dataDirectory)
    {
        var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dataDirectory, Config = FastAborts }, Cancel);
        await broker.Host.TransactionCoordinator.Load.Start().WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        return broker;
    }

    private static Task<(WireClient Client, long ProducerId, short Epoch)> OpenTransactionAsync(RunnelBroker broker, string transactionalId, int timeoutMs) =>
        OpenTransactionAsync(broker.BootstrapServers, broker.Port, transactionalId, timeoutMs);

    /// <summary>Creates the topic, then InitProducerId, AddPartitionsToTxn (both partitions) and one transactional batch to partition 0.</summary>
    private static async Task<(WireClient Client, long ProducerId, short Epoch)> OpenTransactionAsync(string bootstrap, int port, string transactionalId, int timeoutMs)
    {
        using (var admin = Clients.CreateAdmin(bootstrap))
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 2, ReplicationFactor = 1 }]);
        }

        var client = await WireClient.ConnectAsync("127.0.0.1", port, Cancel);
        InitProducerIdResponse init = null!;
        await Eventually.TrueAsync(async () =>
        {
            // A broker process answers COORDINATOR_LOAD_IN_PROGRESS until __transaction_state is loaded; clients retry.
            init = await client.SendAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = timeoutMs, ProducerId = -1, ProducerEpoch = -1 }, 4, cancellationToken: Cancel);
            return init.ErrorCode != (short)Runnel.Protocol.ErrorCode.CoordinatorLoadInProgress;
        }, "the transaction coordinator loads");
        Assert.Equal(0, init.ErrorCode);
        var added = await client.SendAsync<AddPartitionsToTxnResponse>(new AddPartitionsToTxnRequest
        {
            V3AndBelowTransactionalId = transactionalId,
            V3AndBelowProducerId = init.ProducerId,
            V3AndBelowProducerEpoch = init.ProducerEpoch,
            V3AndBelowTopics = [new AddPartitionsToTxnRequest.AddPartitionsToTxnTopic { Name = Topic, Partitions = [0, 1] }],
        }, 0, cancellationToken: Cancel);
        Assert.All(added.ResultsByTopicV3AndBelow[0].ResultsByPartition, p => Assert.Equal(0, p.PartitionErrorCode));
        Assert.Equal(0, await ProduceAsync(client, transactionalId, init.ProducerId, init.ProducerEpoch, "pending"));
        return (client, init.ProducerId, init.ProducerEpoch);
    }

    private static async Task<short> ProduceAsync(WireClient client, string transactionalId, long producerId, short epoch, string value)
    {
        var batch = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = 0, IsTransactional = true }
            .Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, Encoding.UTF8.GetBytes(value)).ToArray();
        var response = await client.SendAsync<ProduceResponse>(new ProduceRequest
        {
            TransactionalId = transactionalId,
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = Topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, 9, cancellationToken: Cancel);
        return response.Responses[0].PartitionResponses[0].ErrorCode;
    }

    private static Task<string> StateAsync(RunnelBroker broker, string transactionalId) => StateAsync(broker.Port, transactionalId);

    private static async Task<string> StateAsync(int port, string transactionalId)
    {
        await using var client = await WireClient.ConnectAsync("127.0.0.1", port, Cancel);
        var described = await client.SendAsync<DescribeTransactionsResponse>(new DescribeTransactionsRequest { TransactionalIds = [transactionalId] }, 0, cancellationToken: Cancel);
        return described.TransactionStates[0].TransactionState;
    }

    private static bool Stable(RunnelBroker broker, int partition)
    {
        var log = broker.Host.Logs.GetLog(new StorageTopicPartition(Topic, partition))!;
        return log.LastStableOffset == log.HighWatermark;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_commit_decision_stored_before_a_crash_is_carried_out_after_restart(bool oneMarkerWritten)
    {
        using var dir = new TempDirectory("txn-prepared");
        long producerId;
        short epoch;
        await using (var broker = await StartAsync(dir.Path))
        {
            var (client, pid, producerEpoch) = await OpenTransactionAsync(broker, "prepared", 60_000);
            await client.DisposeAsync();
            (producerId, epoch) = (pid, producerEpoch);
            Assert.False(Stable(broker, 0));

            // The coordinator stored PrepareCommit and the broker died before any marker was written,
            // or (oneMarkerWritten) while they were being written: partition 0 has its marker, 1 not.
            var coordinator = broker.Host.TransactionCoordinator;
            var state = broker.Host.Logs.GetLog(new StorageTopicPartition(TransactionCoordinator.StateTopic, coordinator.PartitionFor("prepared")))!;
            var transit = new TransactionTransit(producerId, -1, epoch, -1, 60_000, TransactionState.PrepareCommit,
                [new(Topic, 0), new(Topic, 1)], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            state.Append(new RecordBatchBuilder().Append(transit.LastUpdateMs, TransactionLogRecords.Key("prepared"), TransactionLogRecords.Value(transit)).ToArray(), 0, false);
            if (oneMarkerWritten)
            {
                var marker = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, IsTransactional = true, IsControl = true }
                    .AppendEndTransactionMarker(ControlRecordType.Commit, 0, transit.LastUpdateMs).ToArray();
                broker.Host.Logs.GetLog(new StorageTopicPartition(Topic, 0))!.Append(marker, 0, false, fromCoordinator: true);
                Assert.True(Stable(broker, 0));
            }
        }

        await using (var broker = await StartAsync(dir.Path))
        {
            await Eventually.TrueAsync(() => Stable(broker, 0) && Stable(broker, 1), "the markers are written after the restart");

            // The coordinator records CompleteCommit once every marker is written: just after they are visible.
            await Eventually.TrueAsync(async () => await StateAsync(broker, "prepared") == "CompleteCommit", "the commit is completed after its markers");
            Assert.Equal(["pending"], TransactionTests.ReadAll(broker, Topic, IsolationLevel.ReadCommitted));

            // The markers went to both partitions again, the one without data too (its producer state
            // knows the epoch); a second marker where one was already written completes nothing.
            Assert.Equal(oneMarkerWritten ? 3 : 2, broker.Host.Logs.GetLog(new StorageTopicPartition(Topic, 0))!.HighWatermark);
            Assert.Equal(1, broker.Host.Logs.GetLog(new StorageTopicPartition(Topic, 1))!.HighWatermark);
        }
    }

    [Fact]
    public async Task An_open_transaction_left_behind_is_aborted_after_its_timeout_even_across_a_restart()
    {
        using var dir = new TempDirectory("txn-timeout");
        long producerId;
        short epoch;
        await using (var broker = await StartAsync(dir.Path))
        {
            var (client, pid, producerEpoch) = await OpenTransactionAsync(broker, "forgotten", 1500);
            await client.DisposeAsync();
            (producerId, epoch) = (pid, producerEpoch);
            Assert.Equal("Ongoing", await StateAsync(broker, "forgotten"));
        }

        await using (var broker = await StartAsync(dir.Path))
        {
            await Eventually.TrueAsync(() => Stable(broker, 0) && Stable(broker, 1), "the timed-out transaction is aborted");
            await Eventually.TrueAsync(async () => await StateAsync(broker, "forgotten") == "CompleteAbort", "the abort is completed after its markers");
            Assert.Empty(TransactionTests.ReadAll(broker, Topic, IsolationLevel.ReadCommitted));
            Assert.Equal(["pending"], TransactionTests.ReadAll(broker, Topic, IsolationLevel.ReadUncommitted));

            // The abort fenced the producer: its epoch is over, in the coordinator and in the partition.
            await using var client = await WireClient.ConnectAsync("127.0.0.1", broker.Port, Cancel);
            Assert.Equal((short)Runnel.Protocol.ErrorCode.InvalidProducerEpoch, await ProduceAsync(client, "forgotten", producerId, epoch, "zombie"));
        }
    }

    [Fact]
    public async Task A_broker_killed_after_AddPartitions_and_a_produce_aborts_that_transaction_after_restart()
    {
        using var dir = new TempDirectory("txn-kill-open");
        string[] overrides = ["transaction.abort.timed.out.transaction.cleanup.interval.ms=100"];
        await using (var broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides))
        {
            var (client, _, _) = await OpenTransactionAsync(broker.BootstrapServers, broker.Port, "killed-open", 1500);
            await client.DisposeAsync();
            Assert.Equal("Ongoing", await StateAsync(broker.Port, "killed-open"));
            await broker.KillAsync();
        }

        await using (var broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides))
        {
            await Eventually.TrueAsync(async () => await StateAsync(broker.Port, "killed-open") == "CompleteAbort", "the transaction open at the kill is aborted by its timeout");
            Assert.Empty(TransactionTests.ReadAll(broker.BootstrapServers, Topic, IsolationLevel.ReadCommitted));
            Assert.Equal(["pending"], TransactionTests.ReadAll(broker.BootstrapServers, Topic, IsolationLevel.ReadUncommitted));
        }
    }

    [Fact]
    public async Task A_broker_killed_at_random_points_of_a_stream_of_transactions_keeps_every_transaction_whole()
    {
        using var dir = new TempDirectory("txn-kill");
        string[] overrides = ["transaction.abort.timed.out.transaction.cleanup.interval.ms=100"];
        var committed = new HashSet<int>();
        var attempted = 0;
        var random = new Random(17);
        for (var round = 0; round < 4; round++)
        {
            await using var broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides, "Information");
            if (round == 0)
            {
                using var admin = Clients.CreateAdmin(broker.BootstrapServers);
                await admin.CreateTopicsAsync([new TopicSpecification { Name = Topic, NumPartitions = 2, ReplicationFactor = 1 }]);
            }

            using var stop = new CancellationTokenSource();
            var first = attempted;
            var writer = Task.Run(() => WriteTransactions(broker.BootstrapServers, first, committed, stop.Token), Cancel);
            await Eventually.TrueAsync(() => Volatile.Read(ref attempted) >= 0 && CountOf(committed) > first / 2 + round, "transactions commit before the kill", TimeSpan.FromSeconds(60));
            await Task.Delay(random.Next(20, 400), Cancel);
            await broker.KillAsync();
            stop.Cancel();
            attempted = await writer;
        }

        await using (var broker = await RunnelBrokerProcess.StartAsync(dir.Path, overrides, "Information"))
        {
            // A transaction open at the last kill is aborted by its timeout; then nothing is unstable.
            var values = await ReadCommittedWhenStableAsync(broker.BootstrapServers);
            var byTransaction = values.GroupBy(v => int.Parse(v.Split('-')[0], System.Globalization.CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count());
            // Whole transactions only; every acknowledged commit is there; beyond those, at most the one
            // transaction per kill whose commit was stored but not acknowledged before the broker died.
            Assert.All(byTransaction, t => Assert.Equal(4, t.Value));
            var visible = byTransaction.Keys.ToHashSet();
            Assert.Subset(visible, committed);
            Assert.True(visible.Count - committed.Count <= 4, $"{visible.Count - committed.Count} unacknowledged transactions visible");
            Assert.True(committed.Count >= 4, $"only {committed.Count} transactions committed");
        }
    }

    private static int CountOf(HashSet<int> set)
    {
        lock (set)
        {
            return set.Count;
        }
    }

    /// <summary>Transactions of four records (two per partition), numbered from <paramref name="first"/>, until the broker goes away; returns the next number.</summary>
    private static int WriteTransactions(string bootstrap, int first, HashSet<int> committed, CancellationToken stop)
    {
        var next = first;
        using var producer = Clients.CreateProducer(bootstrap, c =>
        {
            c.TransactionalId = "kill-writer";
            c.EnableIdempotence = true;
            c.TransactionTimeoutMs = 2000;
            c.MessageTimeoutMs = 2000;
            c.SocketTimeoutMs = 2000;
        });
        try
        {
            producer.InitTransactions(TimeSpan.FromSeconds(20));
            while (!stop.IsCancellationRequested)
            {
                var number = next++;
                producer.BeginTransaction();
                for (var i = 0; i < 4; i++)
                {
                    var value = $"{number}-{i}";
                    producer.Produce(new TopicPartition(Topic, i % 2), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(value) });
                }

                producer.CommitTransaction(TimeSpan.FromSeconds(5));
                lock (committed)
                {
                    committed.Add(number);
                }
            }
        }
        catch (KafkaException)
        {
            // The broker was killed mid-transaction: its fate is the coordinator's to decide.
        }

        return next;
    }

    private static async Task<List<string>> ReadCommittedWhenStableAsync(string bootstrap)
    {
        using var consumer = Clients.CreateConsumer(bootstrap, c => c.IsolationLevel = IsolationLevel.ReadCommitted);
        var partitions = new[] { new TopicPartition(Topic, 0), new TopicPartition(Topic, 1) };
        await Eventually.TrueAsync(() => partitions.All(p =>
        {
            // read_committed watermarks: the high one is the last stable offset.
            var committedEnd = consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High;
            using var uncommitted = Clients.CreateConsumer(bootstrap, c => c.IsolationLevel = IsolationLevel.ReadUncommitted);
            return committedEnd == uncommitted.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(5)).High;
        }), "no transaction is left open", TimeSpan.FromSeconds(60));

        return TransactionTests.ReadAll(bootstrap, Topic, IsolationLevel.ReadCommitted);
    }
}
