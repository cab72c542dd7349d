using Runnel.Protocol.Messages;
using Runnel.Protocol.Records;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// <c>read_committed</c> for one partition's fetched batches, as Kafka's consumer does it: the Fetch
/// response lists the transactions aborted in the returned range (producer id, first offset); walking
/// the batches in order, a transaction becomes "open and aborted" once a batch reaches its first
/// offset, its producer's transactional batches are skipped from then on, and its ABORT marker ends
/// it. Reused across partitions and fetches (<see cref="Reset"/>); the response's list is sorted here.
/// </summary>
internal sealed class AbortedTransactionFilter
{
    private readonly List<FetchResponse.AbortedTransaction> _pending = [];
    private readonly HashSet<long> _abortedProducers = [];
    private int _next;

    /// <summary>Starts a partition's batches with the response's aborted transactions (null: none).</summary>
    public void Reset(List<FetchResponse.AbortedTransaction>? aborted)
    {
        _pending.Clear();
        _abortedProducers.Clear();
        _next = 0;
        if (aborted is not null)
        {
            _pending.AddRange(aborted);
            _pending.Sort(static (a, b) => a.FirstOffset.CompareTo(b.FirstOffset));
        }
    }

    /// <summary>Whether a data batch belongs to an aborted transaction.</summary>
    public bool Skips(in RecordBatchHeader header)
    {
        if (!header.IsTransactional)
        {
            return false;
        }

        Admit(header.LastOffset);
        return _abortedProducers.Contains(header.ProducerId);
    }

    /// <summary>A control batch: an ABORT marker ends its producer's aborted transaction.</summary>
    public void Control(in RecordBatchHeader header, bool isAbortMarker)
    {
        Admit(header.LastOffset);
        if (isAbortMarker)
        {
            _abortedProducers.Remove(header.ProducerId);
        }
    }

    private void Admit(long lastOffset)
    {
        while (_next < _pending.Count && _pending[_next].FirstOffset <= lastOffset)
        {
            _abortedProducers.Add(_pending[_next++].ProducerId);
        }
    }
}
