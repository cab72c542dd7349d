using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Runnel.Broker.Fetch;
using Runnel.Broker.Metadata;
using Runnel.Broker.Partitions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Protocol.Records;
using Runnel.Protocol;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers;

/// <summary>
/// Fetch (key 1), versions 4–17 (Kafka 4.0 removed 0–3). v4 isolation level and last stable
/// offset; v5 log start offset; v7 incremental fetch sessions (KIP-227); v9 current leader epoch
/// (KIP-320); v11 rack id (KIP-392, no follower fetching on one node); v12 flexible with diverging
/// epoch; v13 topic ids; v15 replica state (KIP-903); v16–17 node endpoints and directory ids.
/// Long polling: when fewer than <c>MinBytes</c> are available the request waits up to
/// <c>MaxWaitMs</c> for appends to any of its partitions (woken by the log, not by polling).
/// Data is served as the stored batch bytes; the first partition with data may exceed the size
/// limits by one batch so consumers always progress (KIP-74).
/// read_committed (isolation level 1, KIP-98): data stops at the last stable offset, and each
/// partition with data carries the transactions aborted in the range it returns, sorted by first
/// offset (KafkaJS only checks the head of the list); an empty list without data; null for
/// read_uncommitted.
/// Corrupt data found while reading a partition (a batch header that is not a batch) answers that
/// partition CORRUPT_MESSAGE and is logged, as Kafka does.
/// Not yet: follower fetches (replication).
/// </summary>
public sealed class FetchHandler : RequestHandler<FetchRequest>
{
    private readonly PartitionRegistry _partitions;
    private readonly TopicService _topics;
    private readonly FetchSessionCache _sessions;
    private readonly TimeProvider _time;
    private readonly int _fetchMaxBytes;
    private readonly ILogger _logger;

    internal FetchHandler(PartitionRegistry partitions, TopicService topics, FetchSessionCache sessions, TimeProvider time, int fetchMaxBytes, ILogger<FetchHandler> logger)
    {
        _partitions = partitions;
        _topics = topics;
        _sessions = sessions;
        _time = time;
        _fetchMaxBytes = fetchMaxBytes;
        _logger = logger;
    }

    /// <summary>The empty aborted-transaction list of read_committed responses; never added to.</summary>
    private static readonly List<FetchResponse.AbortedTransaction> s_noAbortedTransactions = [];

    public override ApiKey ApiKey => ApiKey.Fetch;

    public override short MinVersion => 4;

    public override short MaxVersion => 17;

    /// <summary>A consumer sends fetch after fetch on its connection: each is decoded into the same objects.</summary>
    protected override bool RecyclesRequests => true;

    // Pooled state machines here and on the dispatcher and connection paths above a fetch: a long
    // poll suspends them all, and each suspension would otherwise allocate a box per method.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, FetchRequest request)
    {
        var version = context.ApiVersion;
        FetchSession? session = null;
        var incremental = false;
        if (version >= 7)
        {
            var full = request.SessionEpoch is 0 or -1;
            if (full)
            {
                if (request.SessionId != 0)
                {
                    _sessions.Remove(request.SessionId);
                }

                if (request.SessionEpoch == 0)
                {
                    session = _sessions.Create();
                }
            }
            else
            {
                session = _sessions.Find(request.SessionId);
                if (session is null)
                {
                    return new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound };
                }

                incremental = true;
            }
        }

        if (session is null)
        {
            return await FetchAsync(context, request, null, incremental: false);
        }

        await session.Gate.WaitAsync(context.ConnectionClosed);
        try
        {
            if (incremental && session.NextEpoch != request.SessionEpoch)
            {
                return new FetchResponse { ErrorCode = (short)ErrorCode.InvalidFetchSessionEpoch };
            }

            session.NextEpoch = incremental ? NextEpoch(request.SessionEpoch) : 1;
            return await FetchAsync(context, request, session, incremental);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    // Session epochs wrap from int.MaxValue to 1 (0 and -1 are reserved for full fetches).
    private static int NextEpoch(int epoch) => epoch == int.MaxValue ? 1 : epoch + 1;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IApiMessage?> FetchAsync(RequestContext context, FetchRequest request, FetchSession? session, bool incremental)
    {
        var version = context.ApiVersion;
        // The connection's lists, emptied when this fetch ends however it ends (the next fetch fills them again).
        using var targets = context.ConnectionState<RentedList<FetchTarget>>();
        FillTargets(targets, request, session, incremental, version);
        var results = context.ConnectionState<RentedList<PartitionRead>>();
        var readCommitted = request.IsolationLevel == 1;
        var maxBytes = Math.Min(request.MaxBytes <= 0 ? int.MaxValue : request.MaxBytes, _fetchMaxBytes);
        var deadline = _time.GetUtcNow().AddMilliseconds(Math.Max(0, request.MaxWaitMs));
        var waiter = request.MaxWaitMs > 0 ? context.ConnectionState<FetchWaiter>() : null;
        waiter?.Bind(_time, context.ConnectionClosed);
        try
        {
            while (true)
            {
                // Watch for appends before reading so an append between the read and the wait is not missed.
                var watching = waiter is not null && Watch(waiter, targets);
                using var read = ReadAll(targets, results, readCommitted, maxBytes, version);
                var remaining = deadline - _time.GetUtcNow();
                if (read.TotalBytes >= request.MinBytes || read.HasError || !watching || remaining <= TimeSpan.Zero)
                {
                    foreach (var r in read.Results.AsSpan())
                    {
                        if (r.Buffer is not null)
                        {
                            context.RegisterForDispose(r.Buffer);
                        }
                    }

                    var recycled = context.ConnectionState<RecycledResponse>();
                    context.RegisterForDispose(recycled);
                    return BuildResponse(recycled, targets, read.Results, session, incremental, version, readCommitted);
                }

                read.ReleaseBuffers();
                context.ConnectionClosed.ThrowIfCancellationRequested();
                await waiter!.WaitAsync(remaining);
                waiter.EndWait();
                context.ConnectionClosed.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            // The read found enough, or failed, while the wait was open: close it before the next fetch arms it again.
            if (waiter is not null)
            {
                await waiter.StopAsync();
            }
        }
    }

    /// <summary>Arms the connection's waiter on every known partition of the fetch; false when there is none to wait on.</summary>
    private bool Watch(FetchWaiter waiter, RentedList<FetchTarget> targets)
    {
        waiter.Arm();
        foreach (ref readonly var t in targets.AsSpan())
        {
            if (t.Topic is not null && _partitions.TryGet(t.Topic, t.Partition, out var partition))
            {
                waiter.Watch(partition.Notifier);
            }
        }

        return waiter.IsWatching;
    }

    /// <summary>Fills the connection's (empty) target list with what this fetch reads.</summary>
    private void FillTargets(RentedList<FetchTarget> targets, FetchRequest request, FetchSession? session, bool incremental, short version)
    {
        var image = _topics.Image;
        var requested = 0;
        foreach (var topic in request.Topics)
        {
            requested += topic.Partitions.Count;
        }

        targets.Reserve(incremental ? session!.Ordered.Count + requested : requested);
        foreach (var topic in request.Topics)
        {
            var name = ResolveName(image, topic.Topic, topic.TopicId, version);
            var topicId = version >= 13 ? topic.TopicId : image.TryGetTopic(topic.Topic, out var t) ? t.TopicId : Guid.Empty;
            foreach (var p in topic.Partitions)
            {
                FetchSessionPartition? entry = null;
                if (session is not null && name is not null)
                {
                    entry = session.AddOrGet(name, topicId, p.Partition);
                    entry.FetchOffset = p.FetchOffset;
                    entry.MaxBytes = p.PartitionMaxBytes;
                    entry.CurrentLeaderEpoch = p.CurrentLeaderEpoch;
                }

                var target = new FetchTarget(name, topicId, p.Partition, p.FetchOffset, p.PartitionMaxBytes, p.CurrentLeaderEpoch, entry);

                if (!incremental)
                {
                    targets.Add(target);
                }
                else if (name is null)
                {
                    // Unknown topic id in an incremental request: report it once, outside the session.
                    targets.Add(target);
                }
            }
        }

        if (!incremental)
        {
            return;
        }

        foreach (var forgotten in request.ForgottenTopicsData)
        {
            var name = ResolveName(image, forgotten.Topic, forgotten.TopicId, version);
            if (name is null)
            {
                continue;
            }

            foreach (var partition in forgotten.Partitions)
            {
                session!.Remove(name, partition);
            }
        }

        foreach (var entry in session!.Ordered)
        {
            targets.Add(new FetchTarget(entry.Topic, entry.TopicId, entry.Partition, entry.FetchOffset, entry.MaxBytes, entry.CurrentLeaderEpoch, entry));
        }
    }

    private static string? ResolveName(MetadataImage image, string name, Guid topicId, short version)
    {
        if (version < 13)
        {
            return name;
        }

        return image.TryGetTopic(topicId, out var topic) ? topic.Name : null;
    }

    private ReadOutcome ReadAll(RentedList<FetchTarget> targets, RentedList<PartitionRead> results, bool readCommitted, int maxBytes, short version)
    {
        results.Reserve(targets.Count);
        var outcome = new ReadOutcome(results);
        var remaining = maxBytes;
        var minOneBatch = true;
        try
        {
            foreach (ref readonly var target in targets.AsSpan())
            {
                var result = ReadOne(target, readCommitted, remaining, minOneBatch, version);
                if (result.Error != ErrorCode.None)
                {
                    outcome.HasError = true;
                }

                var length = result.Buffer?.Length ?? 0;
                if (length > 0)
                {
                    minOneBatch = false;
                    remaining = Math.Max(0, remaining - length);
                    outcome.TotalBytes += length;
                }

                outcome.Results.Add(result);
            }
        }
        catch
        {
            // A read that throws (a corrupt batch) must not leave its buffers or entries in the connection's list.
            outcome.ReleaseBuffers();
            outcome.Dispose();
            throw;
        }

        return outcome;
    }

    private PartitionRead ReadOne(in FetchTarget target, bool readCommitted, int remaining, bool minOneBatch, short version)
    {
        if (target.Topic is null)
        {
            return PartitionRead.Failed(ErrorCode.UnknownTopicId);
        }

        if (!_partitions.TryGet(target.Topic, target.Partition, out var partition))
        {
            return PartitionRead.Failed(version >= 13 ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition);
        }

        if (target.CurrentLeaderEpoch >= 0 && target.CurrentLeaderEpoch != partition.LeaderEpoch)
        {
            return PartitionRead.Failed(target.CurrentLeaderEpoch > partition.LeaderEpoch ? ErrorCode.UnknownLeaderEpoch : ErrorCode.FencedLeaderEpoch);
        }

        var log = partition.Log;
        if (log.IsOffline)
        {
            return PartitionRead.Failed(ErrorCode.KafkaStorageError);
        }

        var highWatermark = log.HighWatermark;
        var lastStable = partition.LastStableOffset;
        var maxOffset = readCommitted ? lastStable : highWatermark;
        var limit = Math.Min(target.MaxBytes, remaining);
        if (limit <= 0 && !minOneBatch)
        {
            return new PartitionRead(ErrorCode.None, null, highWatermark, lastStable, log.LogStartOffset);
        }

        try
        {
            var read = log.Read(target.FetchOffset, Math.Max(limit, 0), maxOffset, minOneBatch);
            if (read.Error == LogError.OffsetOutOfRange)
            {
                read.Dispose();
                return new PartitionRead(ErrorCode.OffsetOutOfRange, null, read.HighWatermark, lastStable, read.LogStartOffset);
            }

            // Kafka's LocalLog.addAbortedTransactions, bounded by the offset after the last batch
            // returned. Most logs have no abort at or after the fetch offset: then no bound is
            // computed and nothing is allocated.
            List<AbortedTransaction>? aborted = null;
            if (readCommitted && read.Records is not null && log.HasAbortedTransactionsFrom(target.FetchOffset))
            {
                log.CollectAbortedTransactions(target.FetchOffset, read.NextOffset(), ref aborted);
            }

            return new PartitionRead(ErrorCode.None, read.Records, read.HighWatermark, lastStable, read.LogStartOffset, aborted);
        }
        catch (LogOfflineException)
        {
            return PartitionRead.Failed(ErrorCode.KafkaStorageError);
        }
        catch (CorruptLogException ex)
        {
            // As Kafka's readFromLocalLog: this partition gets the error, the rest of the fetch (and
            // the connection) go on. The log stays online; recovery repairs the segment at restart.
            Log.FetchFoundCorruptData(_logger, target.Topic, target.Partition, target.FetchOffset, ex);
            return PartitionRead.Failed(ErrorCode.CorruptMessage);
        }
    }

    private static FetchResponse BuildResponse(
        RecycledResponse recycled, RentedList<FetchTarget> targets, RentedList<PartitionRead> results, FetchSession? session, bool incremental, short version, bool readCommitted)
    {
        var response = recycled.Recycle();
        response.SessionId = session?.Id ?? 0;
        FetchResponse.FetchableTopicResponse? current = null;
        for (var i = 0; i < targets.Count; i++)
        {
            ref readonly var target = ref targets[i];
            ref readonly var result = ref results[i];
            var entry = target.SessionEntry;
            if (incremental && entry is not null && result.Error == ErrorCode.None && (result.Buffer?.Length ?? 0) == 0
                && entry.SentHighWatermark == result.HighWatermark && entry.SentLastStableOffset == result.LastStableOffset
                && entry.SentLogStartOffset == result.LogStartOffset)
            {
                continue; // Nothing new for this partition: incremental responses leave it out.
            }

            if (entry is not null)
            {
                entry.SentHighWatermark = result.HighWatermark;
                entry.SentLastStableOffset = result.LastStableOffset;
                entry.SentLogStartOffset = result.LogStartOffset;
            }

            var sameTopic = current is not null && (version >= 13 ? current.TopicId == target.TopicId : current.Topic == target.Topic);
            if (!sameTopic)
            {
                current = recycled.Topics.Rent();
                current.Topic = target.Topic ?? "";
                current.TopicId = target.TopicId;
                if (!incremental)
                {
                    // A full response lists every requested partition: size the list once.
                    current.Partitions.EnsureCapacity(CountSameTopic(targets, i, version));
                }

                response.Responses.Add(current);
            }

            var partition = recycled.Partitions.Rent();
            partition.PartitionIndex = target.Partition;
            partition.ErrorCode = (short)result.Error;
            partition.HighWatermark = result.HighWatermark;
            partition.LastStableOffset = result.LastStableOffset;
            partition.LogStartOffset = result.LogStartOffset;
            partition.Records = result.Buffer is null ? ReadOnlyMemory<byte>.Empty : result.Buffer.Memory;

            if (readCommitted)
            {
                // Null (the default) for read_uncommitted; read_committed sends a list, empty or not.
                // librdkafka reads committed by default, so most partitions of most fetches share
                // the one empty list (responses are only encoded, never changed after this).
                if (result.Aborted is { } aborted)
                {
                    var list = partition.AbortedTransactions = new(aborted.Count);
                    foreach (var transaction in aborted)
                    {
                        list.Add(new FetchResponse.AbortedTransaction { ProducerId = transaction.ProducerId, FirstOffset = transaction.FirstOffset });
                    }
                }
                else
                {
                    partition.AbortedTransactions = s_noAbortedTransactions;
                }
            }

            current!.Partitions.Add(partition);
        }

        return response;
    }

    /// <summary>How many targets from <paramref name="start"/> on belong to its topic.</summary>
    private static int CountSameTopic(RentedList<FetchTarget> targets, int start, short version)
    {
        ref readonly var first = ref targets[start];
        var end = start + 1;
        while (end < targets.Count && (version >= 13 ? targets[end].TopicId == first.TopicId : targets[end].Topic == first.Topic))
        {
            end++;
        }

        return end - start;
    }

    /// <summary>
    /// The connection's fetch response, rebuilt in place for each fetch: by the time the next fetch
    /// is served the previous response has been written, so its topics and partitions go back to
    /// the pools and come out again reset. A consumer fetching the same partitions over and over
    /// then allocates no per-partition objects.
    /// </summary>
    private sealed class RecycledResponse : IDisposable
    {
        private readonly FetchResponse _response = new();

        public MessagePool<FetchResponse.FetchableTopicResponse> Topics { get; } = new();

        public MessagePool<FetchResponse.PartitionData> Partitions { get; } = new();

        /// <summary>The response, reset, its previous topics and partitions given back to the pools.</summary>
        public FetchResponse Recycle()
        {
            foreach (var topic in _response.Responses)
            {
                Partitions.ReturnAll(topic.Partitions);
            }

            Topics.ReturnAll(_response.Responses);
            _response.Reset();
            return _response;
        }

        /// <summary>
        /// Called once the response is written, when its read buffers go back to the pool: the
        /// records views are dropped so an idle connection does not keep those arrays reachable.
        /// </summary>
        public void Dispose()
        {
            foreach (var topic in _response.Responses)
            {
                foreach (var partition in topic.Partitions)
                {
                    partition.Records = null;
                }
            }
        }
    }

    /// <summary>One partition to read; a struct in a rented list, so a fetch of many partitions allocates none per partition.</summary>
    private readonly record struct FetchTarget(
        string? Topic, Guid TopicId, int Partition, long FetchOffset, int MaxBytes, int CurrentLeaderEpoch, FetchSessionPartition? SessionEntry = null);

    /// <summary>One partition's read; <see cref="Aborted"/> (read_committed only) is sorted by first offset, null when none.</summary>
    private readonly record struct PartitionRead(
        ErrorCode Error, PooledBuffer? Buffer, long HighWatermark, long LastStableOffset, long LogStartOffset, List<AbortedTransaction>? Aborted = null)
    {
        public static PartitionRead Failed(ErrorCode error) => new(error, null, -1, -1, -1);
    }

    /// <summary>What one pass over the targets read; a struct, so a fetch allocates no object for it.</summary>
    private struct ReadOutcome(RentedList<PartitionRead> results) : IDisposable
    {
        /// <summary>The connection's result list, emptied by <see cref="Dispose"/> for the next read.</summary>
        public RentedList<PartitionRead> Results { get; } = results;

        public long TotalBytes { get; set; }

        public bool HasError { get; set; }

        /// <summary>Gives back the read buffers (a long poll reads again after its wait).</summary>
        public readonly void ReleaseBuffers()
        {
            foreach (var r in Results.AsSpan())
            {
                r.Buffer?.Dispose();
            }
        }

        /// <summary>Returns the list; the buffers are the response's or were released.</summary>
        public readonly void Dispose() => Results.Dispose();
    }
}
