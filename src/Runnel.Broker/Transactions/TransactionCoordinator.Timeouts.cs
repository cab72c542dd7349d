using Runnel.Protocol;

namespace Runnel.Broker.Transactions;

public sealed partial class TransactionCoordinator
{
    /// <summary>
    /// Every <c>transaction.abort.timed.out.transaction.cleanup.interval.ms</c>: aborts (with an
    /// epoch fence) every transaction open longer than its producer's <c>transaction.timeout.ms</c>,
    /// so a producer that went away never holds a partition's last stable offset for long.
    /// </summary>
    private void AbortTimedOut()
    {
        var now = NowMs;
        List<(TransactionMetadata Metadata, TransactionTransit Transit, long OpenMs)>? due = null;
        lock (_lock)
        {
            foreach (var metadata in _transactions.Values)
            {
                if (metadata.State == TransactionState.Ongoing && metadata.Pending is null && metadata.StartMs + metadata.TimeoutMs < now)
                {
                    var openMs = now - metadata.StartMs;
                    (due ??= []).Add((metadata, BeginFenceLocked(metadata, now), openMs));
                }
            }
        }

        if (due is null)
        {
            return;
        }

        foreach (var (metadata, transit, openMs) in due)
        {
            Log.TimedOut(_logger, metadata.TransactionalId, metadata.ProducerId, openMs, metadata.TimeoutMs);
            Track(FenceAsync(metadata, transit));
        }
    }

    /// <summary>
    /// Every <c>transaction.remove.expired.transaction.cleanup.interval.ms</c>: forgets transactional
    /// ids idle (no open transaction) for <c>transactional.id.expiration.ms</c>, by a tombstone.
    /// </summary>
    private void ExpireIds()
    {
        var now = NowMs;
        List<TransactionMetadata>? expired = null;
        lock (_lock)
        {
            foreach (var metadata in _transactions.Values)
            {
                if (IsExpiredLocked(metadata, now))
                {
                    (expired ??= []).Add(metadata);
                }
            }
        }

        if (expired is not null)
        {
            Track(RemoveExpiredAsync(expired, now));
        }
    }

    private bool IsExpiredLocked(TransactionMetadata metadata, long now) =>
        metadata.State.IsIdle() && metadata.Pending is null && metadata.LastUpdateMs <= now - _idExpirationMs;

    /// <summary>
    /// Writes each expired id's tombstone in turn. An id is marked Dead only right before its own
    /// write (and re-checked then), so a returning producer waits for one append, not for the batch.
    /// </summary>
    private async Task RemoveExpiredAsync(List<TransactionMetadata> expired, long now)
    {
        foreach (var metadata in expired)
        {
            lock (_lock)
            {
                if (!IsExpiredLocked(metadata, now) || !_transactions.TryGetValue(metadata.TransactionalId, out var current) || !ReferenceEquals(current, metadata))
                {
                    continue;
                }

                metadata.Pending = TransactionState.Dead;
            }

            var error = ErrorCode.UnknownServerError;
            try
            {
                error = await AppendAsync(metadata.StatePartition, TransactionLogRecords.Key(metadata.TransactionalId), null);
            }
            finally
            {
                lock (_lock)
                {
                    metadata.Pending = null;
                    if (error == ErrorCode.None)
                    {
                        _transactions.Remove(metadata.TransactionalId);
                    }
                }
            }

            if (error == ErrorCode.None)
            {
                Log.Expired(_logger, metadata.TransactionalId, now - metadata.LastUpdateMs);
            }
        }
    }
}
