using Microsoft.Extensions.Logging;
using Runnel.Broker.Configuration;
using Runnel.Broker.Coordination;
using Runnel.Broker.Groups;
using Runnel.Broker.Handlers;
using Runnel.Broker.Metadata;
using Runnel.Broker.Partitions;
using Runnel.Protocol;
using Runnel.Storage.Log;

namespace Runnel.Broker.Transactions;

/// <summary>
/// The transaction coordinator (Kafka's <c>TransactionCoordinator</c>, TV1 and TV2 protocols): owns
/// every transactional id, hosts all <c>__transaction_state</c> partitions, decides commit or abort,
/// and writes the markers that end a transaction in each of its partitions.
/// </summary>
/// <remarks>
/// <para>State lives in memory under one short lock, never held across I/O. A change is two-phase,
/// as in Kafka: under the lock it is checked and marked pending (other requests for the id answer
/// CONCURRENT_TRANSACTIONS meanwhile), its record is appended to <c>__transaction_state</c> (and
/// flushed when the topic flushes before acks), and only then applied. So one id's records are
/// stored in the order its changes happen, and nothing is acknowledged before it is durable.</para>
/// <para>After PrepareCommit/PrepareAbort is stored, markers go straight into each partition's log
/// (one node: no WriteTxnMarkers round trip), <c>__consumer_offsets</c> markers through the group
/// coordinator so the group's pending transactional offsets are applied in the same order, then
/// CompleteCommit/CompleteAbort is stored. Unlike Kafka, EndTxn is answered after that (bounded by
/// <see cref="EndTxnWait"/>): KafkaJS does not retry AddOffsetsToTxn or EndTxn, so a next transaction
/// must never find the previous one still completing, and a read_committed consumer sees a committed
/// transaction as soon as the producer's commit returns.</para>
/// </remarks>
public sealed partial class TransactionCoordinator : IAsyncDisposable
{
    public const string StateTopic = "__transaction_state";

    /// <summary>The epoch at which a producer id is exhausted (Kafka keeps <see cref="short.MaxValue"/> for fencing).</summary>
    public const short ExhaustedEpoch = short.MaxValue - 1;

    /// <summary>Markers carry the coordinator epoch; one node never moves its coordinator.</summary>
    private const int CoordinatorEpoch = 0;

    /// <summary>
    /// How long EndTxn and a fencing InitProducerId wait for markers before answering anyway (the
    /// decision is stored). Well below the clients' 30 s request timeout, which KafkaJS does not retry.
    /// </summary>
    private static readonly TimeSpan EndTxnWait = TimeSpan.FromSeconds(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, TransactionMetadata> _transactions = new(StringComparer.Ordinal);
    private readonly TopicService _topics;
    private readonly PartitionRegistry _partitions;
    private readonly CoordinatorDirectory _directory;
    private readonly ProducerIdManager _producerIds;
    private readonly GroupCoordinator _groups;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _configuredPartitionCount;
    private readonly int _segmentBytes;
    private readonly int _maxTimeoutMs;
    private readonly long _idExpirationMs;
    private readonly TimeSpan _abortInterval;
    private readonly TimeSpan _expiryInterval;
    private readonly CancellationTokenSource _stopping = new();
    private Partition[] _statePartitions = [];
    private ITimer? _abortTimer;
    private ITimer? _expiryTimer;
    private readonly List<Task> _backgroundTasks = [];
    private readonly OnDemandLoad _load;

    public TransactionCoordinator(BrokerConfig config, TopicService topics, PartitionRegistry partitions, CoordinatorDirectory directory, ProducerIdManager producerIds, GroupCoordinator groups, TimeProvider time, ILoggerFactory loggers)
    {
        _topics = topics;
        _partitions = partitions;
        _directory = directory;
        _producerIds = producerIds;
        _groups = groups;
        _time = time;
        _logger = loggers.CreateLogger<TransactionCoordinator>();
        _configuredPartitionCount = config.TransactionStateLogNumPartitions;
        _segmentBytes = config.TransactionStateLogSegmentBytes;
        _maxTimeoutMs = config.TransactionMaxTimeoutMs;
        _idExpirationMs = config.TransactionalIdExpirationMs;
        _abortInterval = TimeSpan.FromMilliseconds(config.TransactionAbortTimedOutTransactionCleanupIntervalMs);
        _expiryInterval = TimeSpan.FromMilliseconds(config.TransactionRemoveExpiredTransactionCleanupIntervalMs);
        _load = new OnDemandLoad(LoadAsync, ex => Log.LoadFailed(_logger, ex), _stopping.Token);
    }

    /// <summary>True once every <c>__transaction_state</c> partition has been replayed.</summary>
    public bool IsLoaded => _load.IsLoaded;

    /// <summary>
    /// When the coordinator loads: at broker start if <c>__transaction_state</c> exists, else on first
    /// use (<c>Load.Start()</c> creates and loads it, after the group coordinator; transactional
    /// requests do so themselves).
    /// </summary>
    internal OnDemandLoad Load => _load;

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The <c>__transaction_state</c> partition of <paramref name="transactionalId"/> (Kafka's <c>partitionFor</c>).</summary>
    public int PartitionFor(string transactionalId) => JavaStringHash.PartitionFor(transactionalId, _statePartitions.Length);

    /// <summary>
    /// InitProducerId with a transactional id: the producer id and a new epoch that fences every
    /// older instance. An open transaction is aborted first (the answer is then
    /// CONCURRENT_TRANSACTIONS and the client retries, as with Kafka). With
    /// <paramref name="expectedProducerId"/> (v3+, KIP-360) the epoch is bumped only for the instance
    /// that holds the current one, and a retry of a bump that succeeded gets the same epoch back.
    /// </summary>
    public async Task<InitProducerIdResult> InitProducerIdAsync(string transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch)
    {
        if (timeoutMs <= 0 || timeoutMs > _maxTimeoutMs)
        {
            return InitProducerIdResult.Fail(ErrorCode.InvalidTransactionTimeout);
        }

        if (!_load.IsLoadedOrStart())
        {
            return InitProducerIdResult.Fail(ErrorCode.CoordinatorLoadInProgress);
        }

        var spareProducerId = -1L;
        while (true)
        {
            var step = PrepareInit(transactionalId, timeoutMs, expectedProducerId, expectedEpoch, ref spareProducerId, out var metadata, out var transit);
            switch (step.Step)
            {
                case PrepareStep.AllocateProducerId:
                    spareProducerId = await _producerIds.NextAsync(_stopping.Token);
                    continue;
                case PrepareStep.Fail:
                    return InitProducerIdResult.Fail(step.Error);
                case PrepareStep.Fence:
                    Log.Fenced(_logger, transactionalId, metadata!.ProducerId, transit.ProducerEpoch);
                    var fenced = await FenceAsync(metadata, transit);

                    // Kafka: the abort is under way, retry; or the store's error (NOT_COORDINATOR makes the client look again).
                    return InitProducerIdResult.Fail(fenced == ErrorCode.None ? ErrorCode.ConcurrentTransactions : fenced);
                default:
                    var stored = await StoreAsync(metadata!, transit);
                    return stored == ErrorCode.None
                        ? new InitProducerIdResult(ErrorCode.None, transit.ProducerId, transit.ProducerEpoch)
                        : InitProducerIdResult.Fail(stored);
            }
        }
    }

    /// <summary>What a change prepared under the lock needs next.</summary>
    private enum PrepareStep
    {
        Store,
        Fence,
        Fail,
        AllocateProducerId,
    }

    /// <summary>The checks and the prepared change of InitProducerId, under the lock; asks for a new producer id when it needs one.</summary>
    private (PrepareStep Step, ErrorCode Error) PrepareInit(
        string transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch, ref long spareProducerId,
        out TransactionMetadata? metadata, out TransactionTransit transit)
    {
        transit = default;
        lock (_lock)
        {
            var now = NowMs;
            if (!_transactions.TryGetValue(transactionalId, out metadata))
            {
                if (spareProducerId < 0)
                {
                    return (PrepareStep.AllocateProducerId, ErrorCode.None);
                }

                metadata = new TransactionMetadata(transactionalId, PartitionFor(transactionalId))
                {
                    ProducerId = spareProducerId,
                    TimeoutMs = timeoutMs,
                    LastUpdateMs = now,
                };
                spareProducerId = -1;
                _transactions.Add(transactionalId, metadata);
            }

            if (metadata.Pending is not null)
            {
                return (PrepareStep.Fail, ErrorCode.ConcurrentTransactions);
            }

            if (expectedProducerId >= 0 && !IsValidExpectedProducerId(metadata, expectedProducerId, expectedEpoch))
            {
                return (PrepareStep.Fail, ErrorCode.ProducerFenced);
            }

            if (metadata.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort)
            {
                return (PrepareStep.Fail, ErrorCode.ConcurrentTransactions);
            }

            if (metadata.State == TransactionState.Ongoing)
            {
                transit = BeginFenceLocked(metadata, now);
                return (PrepareStep.Fence, ErrorCode.None);
            }

            var (error, epochs) = NextEpochs(metadata, expectedProducerId, expectedEpoch);
            if (error != ErrorCode.None)
            {
                return (PrepareStep.Fail, error);
            }

            if (epochs.ProducerId < 0)
            {
                // The epoch is exhausted: rotate to a new producer id.
                if (spareProducerId < 0)
                {
                    return (PrepareStep.AllocateProducerId, ErrorCode.None);
                }

                epochs.ProducerId = spareProducerId;
                spareProducerId = -1;
            }

            transit = new TransactionTransit(epochs.ProducerId, epochs.PreviousProducerId, epochs.Epoch, epochs.LastEpoch,
                timeoutMs, TransactionState.Empty, [], -1, now);
            metadata.Pending = TransactionState.Empty;
            return (PrepareStep.Store, ErrorCode.None);
        }
    }

    /// <summary>
    /// AddPartitionsToTxn (and AddOffsetsToTxn with the group's <c>__consumer_offsets</c> partition):
    /// makes the partitions part of the producer's transaction, starting it if none is open.
    /// </summary>
    /// <remarks>With <paramref name="transactionV2"/> the partition leader adds on the client's behalf
    /// (KIP-890 part 2: Produce v12, TxnOffsetCommit v5), and the transaction is marked TV2 so its
    /// end, or its abort by a timeout, bumps the epoch as such clients expect.</remarks>
    public Task<ErrorCode> AddPartitionsAsync(string transactionalId, long producerId, short producerEpoch, IReadOnlyCollection<TopicPartition> partitions, bool transactionV2 = false)
    {
        if (!_load.IsLoadedOrStart())
        {
            return Task.FromResult(ErrorCode.CoordinatorLoadInProgress);
        }

        TransactionMetadata? metadata;
        TransactionTransit transit;
        lock (_lock)
        {
            var error = CheckProducerLocked(transactionalId, producerId, producerEpoch, out metadata);
            if (error != ErrorCode.None)
            {
                return Task.FromResult(error);
            }

            if (metadata!.Pending is not null || metadata.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort)
            {
                return Task.FromResult(ErrorCode.ConcurrentTransactions);
            }

            if (metadata.State == TransactionState.Ongoing && metadata.Partitions.IsSupersetOf(partitions))
            {
                return Task.FromResult(ErrorCode.None);
            }

            var now = NowMs;
            var union = new HashSet<TopicPartition>(metadata.Partitions);
            union.UnionWith(partitions);
            transit = metadata.ToTransit() with
            {
                State = TransactionState.Ongoing,
                Partitions = [.. union],
                StartMs = metadata.State == TransactionState.Ongoing ? metadata.StartMs : now,
                LastUpdateMs = now,
                TransactionVersion = transactionV2 ? TransactionVersions.V2 : metadata.TransactionVersion,
            };
            metadata.Pending = TransactionState.Ongoing;
        }

        return StoreAsync(metadata, transit);
    }

    /// <summary>
    /// KIP-890 verification: is <paramref name="partition"/> part of the producer's open transaction?
    /// NONE if so, TRANSACTION_ABORTABLE if not; the producer checks as for AddPartitions.
    /// </summary>
    public ErrorCode VerifyPartition(string transactionalId, long producerId, short producerEpoch, TopicPartition partition)
    {
        if (!_load.IsLoadedOrStart())
        {
            return ErrorCode.CoordinatorLoadInProgress;
        }

        lock (_lock)
        {
            var error = CheckProducerLocked(transactionalId, producerId, producerEpoch, out var metadata);
            if (error != ErrorCode.None)
            {
                return error;
            }

            if (metadata!.State is TransactionState.PrepareCommit or TransactionState.PrepareAbort)
            {
                return ErrorCode.ConcurrentTransactions;
            }

            return metadata.State == TransactionState.Ongoing && metadata.Partitions.Contains(partition)
                ? ErrorCode.None
                : ErrorCode.TransactionAbortable;
        }
    }

    /// <summary>Checks the id, producer id and epoch of a request against the stored ones (Kafka's order).</summary>
    private ErrorCode CheckProducerLocked(string transactionalId, long producerId, short producerEpoch, out TransactionMetadata? metadata)
    {
        if (!_transactions.TryGetValue(transactionalId, out metadata) || metadata.ProducerId != producerId)
        {
            return ErrorCode.InvalidProducerIdMapping;
        }

        return metadata.ProducerEpoch != producerEpoch ? ErrorCode.ProducerFenced : ErrorCode.None;
    }

    /// <summary>KIP-360: may the caller holding <paramref name="producerId"/> bump this id's epoch?</summary>
    private static bool IsValidExpectedProducerId(TransactionMetadata metadata, long producerId, short epoch) =>
        metadata.ProducerEpoch < 0
        || producerId == metadata.ProducerId
        || (producerId == metadata.PreviousProducerId && epoch >= ExhaustedEpoch);

    /// <summary>
    /// The next producer id and epochs for an idle id (Kafka's <c>prepareIncrementProducerEpoch</c>
    /// and <c>prepareProducerIdRotation</c>); a producer id of -1 asks the caller to rotate to a new one.
    /// </summary>
    private static (ErrorCode Error, ProducerEpochs Epochs) NextEpochs(TransactionMetadata metadata, long expectedProducerId, short expectedEpoch)
    {
        var current = metadata.ProducerEpoch;
        var exhausted = current >= ExhaustedEpoch;
        if (expectedProducerId < 0)
        {
            return exhausted
                ? (ErrorCode.None, new ProducerEpochs(-1, metadata.ProducerId, 0, -1))
                : (ErrorCode.None, new ProducerEpochs(metadata.ProducerId, metadata.PreviousProducerId, (short)(current + 1), -1));
        }

        if (exhausted && expectedEpoch == current)
        {
            return (ErrorCode.None, new ProducerEpochs(-1, metadata.ProducerId, 0, current));
        }

        if (current < 0 || expectedEpoch == current)
        {
            return (ErrorCode.None, new ProducerEpochs(metadata.ProducerId, metadata.PreviousProducerId, (short)(current + 1), current));
        }

        // The caller's bump succeeded but it never saw the answer: give it the same epoch again.
        return expectedEpoch == metadata.LastProducerEpoch
            ? (ErrorCode.None, new ProducerEpochs(metadata.ProducerId, metadata.PreviousProducerId, current, metadata.LastProducerEpoch))
            : (ErrorCode.ProducerFenced, default);
    }

    /// <summary>The producer id and epochs an InitProducerId stores; a producer id of -1 asks for a new one.</summary>
    private record struct ProducerEpochs(long ProducerId, long PreviousProducerId, short Epoch, short LastEpoch);

    public async ValueTask DisposeAsync()
    {
        ITimer? abortTimer;
        ITimer? expiryTimer;
        lock (_lock)
        {
            _stopping.Cancel();
            abortTimer = _abortTimer;
            expiryTimer = _expiryTimer;
        }

        _directory.HostsTransactionCoordinator = false;
        if (abortTimer is not null)
        {
            await abortTimer.DisposeAsync();
        }

        if (expiryTimer is not null)
        {
            await expiryTimer.DisposeAsync();
        }

        Task load = _load.CloseAsync();
        Task[] background;
        lock (_backgroundTasks)
        {
            background = [load, .. _backgroundTasks];
        }

        try
        {
            // Marker writers and fences stop at their next wait; none may outlive the logs.
            await Task.WhenAll(background);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException or LogOfflineException or ObjectDisposedException)
        {
            // Stopping: whatever they were doing is completed from the log at the next start.
        }
    }
}
