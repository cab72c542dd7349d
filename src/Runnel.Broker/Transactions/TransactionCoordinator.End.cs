using Runnel.Protocol;

namespace Runnel.Broker.Transactions;

public sealed partial class TransactionCoordinator
{
    /// <summary>
    /// EndTxn: stores the commit or abort decision, writes the markers and the Complete* record, then
    /// answers. <paramref name="transactionV2"/> (EndTxn v5, KIP-890 part 2) bumps the epoch with
    /// every decision, so the markers fence the transaction's own late writes, and answers the new
    /// epoch (or a new producer id when the epoch is exhausted).
    /// </summary>
    public async Task<EndTxnResult> EndTransactionAsync(string transactionalId, long producerId, short producerEpoch, bool commit, bool transactionV2 = false)
    {
        if (!_load.IsLoadedOrStart())
        {
            return new EndTxnResult(ErrorCode.CoordinatorLoadInProgress);
        }

        var spareProducerId = -1L;
        while (true)
        {
            var (step, answer) = transactionV2
                ? PrepareEndV2(transactionalId, producerId, producerEpoch, commit, ref spareProducerId, out var metadata, out var transit)
                : PrepareEndV1(transactionalId, producerId, producerEpoch, commit, out metadata, out transit);
            switch (step)
            {
                case PrepareStep.AllocateProducerId:
                    spareProducerId = await _producerIds.NextAsync(_stopping.Token);
                    continue;
                case PrepareStep.Fail:
                    return answer;
            }

            var stored = await StoreAsync(metadata!, transit);
            if (stored != ErrorCode.None)
            {
                return new EndTxnResult(stored);
            }

            await WaitForCompletionAsync(StartMarkers(metadata!, transit));
            if (!transactionV2)
            {
                return new EndTxnResult(ErrorCode.None);
            }

            // What the client continues with, even if the markers are still being retried.
            var next = transit.Completed(0);
            return new EndTxnResult(ErrorCode.None, next.ProducerId, next.ProducerEpoch);
        }
    }

    /// <summary>Kafka's TV1 EndTxn checks and state table, under the lock.</summary>
    private (PrepareStep Step, EndTxnResult Answer) PrepareEndV1(
        string transactionalId, long producerId, short producerEpoch, bool commit, out TransactionMetadata? metadata, out TransactionTransit transit)
    {
        transit = default;
        lock (_lock)
        {
            var error = CheckProducerLocked(transactionalId, producerId, producerEpoch, out metadata);
            if (error != ErrorCode.None)
            {
                return Fail(error);
            }

            if (metadata!.Pending is not null)
            {
                return Fail(ErrorCode.ConcurrentTransactions);
            }

            var prepare = commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort;
            var complete = commit ? TransactionState.CompleteCommit : TransactionState.CompleteAbort;
            if (metadata.State != TransactionState.Ongoing)
            {
                // The same decision in flight is CONCURRENT_TRANSACTIONS, already made is a retry
                // (NONE), anything else (the opposite decision, no transaction) INVALID_TXN_STATE.
                return Fail(metadata.State == prepare ? ErrorCode.ConcurrentTransactions
                    : metadata.State == complete ? ErrorCode.None
                    : ErrorCode.InvalidTxnState);
            }

            transit = metadata.ToTransit() with { State = prepare, LastUpdateMs = NowMs, TransactionVersion = TransactionVersions.V1 };
            metadata.Pending = prepare;
            return (PrepareStep.Store, default);
        }
    }

    /// <summary>
    /// Kafka's TV2 EndTxn, under the lock. A retry is recognised by its epoch (the stored one is one
    /// ahead of it, or the id rotated from it), not by the state alone, because the same epoch now
    /// means the next transaction:
    /// <code>
    ///                  abort: retry / current     commit: retry / current
    /// Empty            PRODUCER_FENCED / bump     PRODUCER_FENCED / INVALID_TXN_STATE
    /// CompleteAbort    NONE / bump                INVALID_TXN_STATE / INVALID_TXN_STATE
    /// CompleteCommit   INVALID_TXN_STATE / bump   NONE / INVALID_TXN_STATE
    /// </code>
    /// Ongoing ends with a bump; Prepare* answers CONCURRENT_TRANSACTIONS to a retry of the same
    /// decision. Aborting with nothing open still bumps: that is how a TV2 client resets its epoch.
    /// </summary>
    private (PrepareStep Step, EndTxnResult Answer) PrepareEndV2(
        string transactionalId, long producerId, short producerEpoch, bool commit, ref long spareProducerId,
        out TransactionMetadata? metadata, out TransactionTransit transit)
    {
        transit = default;
        lock (_lock)
        {
            if (!_transactions.TryGetValue(transactionalId, out metadata))
            {
                return Fail(ErrorCode.InvalidProducerIdMapping);
            }

            var retryOnOverflow = metadata.PreviousProducerId == producerId && producerEpoch == ExhaustedEpoch && metadata.ProducerEpoch == 0;
            var retryOnEpochBump = metadata.ProducerId == producerId && metadata.ProducerEpoch == producerEpoch + 1;
            var isRetry = retryOnEpochBump || retryOnOverflow;
            var validEpoch = metadata.State switch
            {
                TransactionState.PrepareCommit or TransactionState.PrepareAbort => retryOnEpochBump,
                TransactionState.CompleteCommit or TransactionState.CompleteAbort => isRetry || producerEpoch == metadata.ProducerEpoch,
                _ => producerEpoch == metadata.ProducerEpoch,
            };

            if (metadata.ProducerId != producerId && !retryOnOverflow)
            {
                return Fail(ErrorCode.InvalidProducerIdMapping);
            }

            if (!validEpoch)
            {
                return Fail(ErrorCode.ProducerFenced);
            }

            if (metadata.Pending is not null)
            {
                return Fail(ErrorCode.ConcurrentTransactions);
            }

            var answerCurrent = (PrepareStep.Fail, new EndTxnResult(ErrorCode.None, metadata.ProducerId, metadata.ProducerEpoch));
            var invalid = Fail(ErrorCode.InvalidTxnState);
            var end = metadata.State switch
            {
                TransactionState.Ongoing => commit ? TransactionState.PrepareCommit : TransactionState.PrepareAbort,
                TransactionState.Empty when !commit => TransactionState.PrepareAbort,
                TransactionState.CompleteAbort when !commit && !isRetry => TransactionState.PrepareAbort,
                TransactionState.CompleteCommit when !commit && !isRetry => TransactionState.PrepareAbort,
                _ => (TransactionState?)null,
            };
            if (end is null)
            {
                return metadata.State switch
                {
                    TransactionState.CompleteCommit when commit && isRetry => answerCurrent,
                    TransactionState.CompleteAbort when !commit && isRetry => answerCurrent,
                    TransactionState.PrepareCommit when commit => Fail(ErrorCode.ConcurrentTransactions),
                    TransactionState.PrepareAbort when !commit => Fail(ErrorCode.ConcurrentTransactions),
                    _ => invalid,
                };
            }

            // The bump that exhausts the epoch moves the id to a new producer id once the markers are written.
            var nextProducerId = -1L;
            if (metadata.ProducerEpoch >= ExhaustedEpoch)
            {
                if (spareProducerId < 0)
                {
                    return (PrepareStep.AllocateProducerId, default);
                }

                nextProducerId = spareProducerId;
                spareProducerId = -1;
            }

            transit = metadata.ToTransit() with
            {
                State = end.Value,
                ProducerEpoch = (short)Math.Min(metadata.ProducerEpoch + 1, short.MaxValue),
                LastProducerEpoch = metadata.ProducerEpoch,
                NextProducerId = nextProducerId,
                TransactionVersion = TransactionVersions.V2,
                LastUpdateMs = NowMs,
            };
            metadata.Pending = end;
            return (PrepareStep.Store, default);
        }
    }

    private static (PrepareStep, EndTxnResult) Fail(ErrorCode error) => (PrepareStep.Fail, new EndTxnResult(error));
}
