using Runnel.Broker.Groups;
using Runnel.Protocol;
using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Broker.Transactions;

public sealed partial class TransactionCoordinator
{
    private static readonly TimeSpan MarkerRetryInitial = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MarkerRetryMax = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Prepares the abort of an open transaction whose producer is being replaced (a new instance's
    /// InitProducerId, or a timeout): the epoch is bumped in memory first, as in Kafka, so the old
    /// instance is refused from now on, and the markers carry the bumped epoch so every partition
    /// fences it too.
    /// </summary>
    private TransactionTransit BeginFenceLocked(TransactionMetadata metadata, long now)
    {
        // A fence whose append failed already bumped; and 32767 is kept for exactly this. Under TV2
        // the abort itself bumps once more (Kafka's fence then prepareAbortOrCommit), so the fenced
        // client's EndTxn retry check (its epoch + 1) cannot mistake the abort for its own.
        if (!metadata.HasFailedEpochFence)
        {
            var bump = metadata.TransactionVersion >= TransactionVersions.V2 ? 2 : 1;
            metadata.ProducerEpoch = (short)Math.Min(metadata.ProducerEpoch + bump, short.MaxValue);
        }

        metadata.LastProducerEpoch = -1;
        metadata.Pending = TransactionState.PrepareAbort;
        return metadata.ToTransit() with { State = TransactionState.PrepareAbort, LastUpdateMs = now };
    }

    /// <summary>Stores a fence's PrepareAbort and waits (bounded) for its markers; returns the store's error (NONE once stored).</summary>
    private async Task<ErrorCode> FenceAsync(TransactionMetadata metadata, TransactionTransit transit)
    {
        var stored = await StoreAsync(metadata, transit, fence: true);
        if (stored == ErrorCode.None)
        {
            await WaitForCompletionAsync(StartMarkers(metadata, transit));
        }

        return stored;
    }

    /// <summary>Writes the markers of a stored PrepareCommit/PrepareAbort in the background; the task completes once Complete* is stored.</summary>
    private Task StartMarkers(TransactionMetadata metadata, TransactionTransit prepared)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Track(Task.Run(() => CompleteAsync(metadata, prepared, completion), CancellationToken.None));
        return completion.Task;
    }

    /// <summary>Keeps a background task so DisposeAsync can wait for it (it must not outlive the logs it writes to).</summary>
    private void Track(Task task)
    {
        lock (_backgroundTasks)
        {
            _backgroundTasks.RemoveAll(static t => t.IsCompleted);
            _backgroundTasks.Add(task);
        }
    }

    private async Task CompleteAsync(TransactionMetadata metadata, TransactionTransit prepared, TaskCompletionSource completion)
    {
        try
        {
            var commit = prepared.State == TransactionState.PrepareCommit;
            var writes = new Task[prepared.Partitions.Length];
            for (var i = 0; i < writes.Length; i++)
            {
                writes[i] = WriteMarkerAsync(metadata.TransactionalId, prepared.Partitions[i], prepared.ProducerId, prepared.ProducerEpoch, commit);
            }

            await Task.WhenAll(writes);

            // Complete* must never be durable before the markers it vouches for: flush them first
            // whenever the state topic is flushed before it acknowledges.
            if (_statePartitions[metadata.StatePartition].Config.Log.FlushOnAcks)
            {
                await FlushMarkersAsync(prepared.Partitions);
            }

            var backoff = MarkerRetryInitial;
            TransactionTransit complete;
            while (true)
            {
                lock (_lock)
                {
                    complete = prepared.Completed(NowMs);
                    metadata.Pending = complete.State;
                }

                if (await StoreAsync(metadata, complete) == ErrorCode.None)
                {
                    break;
                }

                await Task.Delay(backoff, _time, _stopping.Token);
                backoff = NextBackoff(backoff);
            }

            Log.Completed(_logger, metadata.TransactionalId, prepared.ProducerId, prepared.ProducerEpoch, complete.State.Name());
            completion.TrySetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: the stored Prepare* is completed after the next start.
            completion.TrySetCanceled();
        }
        catch (Exception ex)
        {
            // Unexpected: the decision is stored, so the next start completes it; waiters stop waiting.
            Log.CompletionFailed(_logger, metadata.TransactionalId, ex);
            completion.TrySetException(ex);
        }
    }

    private async Task FlushMarkersAsync(TopicPartition[] partitions)
    {
        foreach (var topicPartition in partitions)
        {
            if (topicPartition.Topic != GroupCoordinator.OffsetsTopic && _partitions.TryGet(topicPartition.Topic, topicPartition.Partition, out var partition))
            {
                try
                {
                    await partition.Log.WaitForFlushAsync(partition.Log.LogEndOffset - 1, _stopping.Token);
                }
                catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException)
                {
                    // The log is gone or offline: its data (and marker) went with it.
                }
            }
        }
    }

    /// <summary>
    /// Ends the transaction in one partition: a control batch in its log, or, for
    /// <c>__consumer_offsets</c>, through the group coordinator (which applies or drops the pending
    /// offsets). Retries while the log is offline; a partition that no longer exists is skipped, as
    /// Kafka skips partitions without a leader.
    /// </summary>
    private async Task WriteMarkerAsync(string transactionalId, TopicPartition topicPartition, long producerId, short producerEpoch, bool commit)
    {
        var backoff = MarkerRetryInitial;
        while (true)
        {
            if (!_partitions.TryGet(topicPartition.Topic, topicPartition.Partition, out var partition))
            {
                return;
            }

            try
            {
                if (topicPartition.Topic == GroupCoordinator.OffsetsTopic)
                {
                    var stored = await _groups.CompleteTransactionAsync(topicPartition.Partition, producerId, producerEpoch, commit);
                    if (stored is ErrorCode.None or ErrorCode.InvalidProducerEpoch)
                    {
                        // A refused epoch is final, as for any partition: a newer epoch already wrote there.
                        if (stored != ErrorCode.None)
                        {
                            Log.MarkerRefused(_logger, topicPartition.Topic, topicPartition.Partition, commit ? "commit" : "abort", transactionalId, producerId, producerEpoch, "a newer producer epoch wrote there");
                        }

                        return;
                    }

                    throw new LogOfflineException(topicPartition, new IOException($"The group coordinator could not store the marker: {stored}."));
                }

                var builder = new RecordBatchBuilder
                {
                    ProducerId = producerId,
                    ProducerEpoch = producerEpoch,
                    IsTransactional = true,
                    IsControl = true,
                };
                builder.AppendEndTransactionMarker(commit ? ControlRecordType.Commit : ControlRecordType.Abort, CoordinatorEpoch, NowMs);
                var appended = partition.Log.Append(builder.ToArray(), partition.LeaderEpoch, useLogAppendTime: false);
                if (appended.Producer.Result != ProducerCheckResult.Append)
                {
                    // A newer epoch already wrote there: nothing of this transaction can be open in it.
                    Log.MarkerRefused(_logger, topicPartition.Topic, topicPartition.Partition, commit ? "commit" : "abort", transactionalId, producerId, producerEpoch, appended.Producer.Message);
                    return;
                }

                if (partition.Config.Log.FlushOnAcks)
                {
                    await partition.Log.WaitForFlushAsync(appended.LastOffset, _stopping.Token);
                }

                return;
            }
            catch (Exception ex) when (ex is LogOfflineException or ObjectDisposedException)
            {
                // Offline, or the log closed under us (its topic being deleted: the next round skips it).
                Log.MarkerWriteFailed(_logger, commit ? "commit" : "abort", transactionalId, producerId, producerEpoch, topicPartition.Topic, topicPartition.Partition, (long)backoff.TotalMilliseconds, ex);
            }

            await Task.Delay(backoff, _time, _stopping.Token);
            backoff = NextBackoff(backoff);
        }
    }

    private static TimeSpan NextBackoff(TimeSpan backoff) => backoff * 2 > MarkerRetryMax ? MarkerRetryMax : backoff * 2;

    /// <summary>Waits for a transaction's markers, at most <see cref="EndTxnWait"/>: the decision is stored either way.</summary>
    private async Task WaitForCompletionAsync(Task completion)
    {
        try
        {
            await completion.WaitAsync(EndTxnWait, _time, _stopping.Token);
        }
        catch (TimeoutException)
        {
            // Markers keep being retried in the background.
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
