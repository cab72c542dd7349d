using Runnel.Broker.Metadata;

namespace Runnel.Broker.Transactions;

/// <summary>
/// Hands out producer ids (Kafka's <c>ProducerIdManager</c>): ids come from blocks of
/// <see cref="BlockSize"/> whose end is stored in the metadata image before any id of the block is
/// used, so ids stay unique across restarts (a crash wastes the rest of a block, as in Kafka).
/// </summary>
/// <remarks>Thread-safe: one async lock serialises block allocation; ids within a block come from an interlocked counter.</remarks>
public sealed class ProducerIdManager(MetadataStore metadata)
{
    /// <summary>Kafka's <c>ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE</c>.</summary>
    public const long BlockSize = 1000;

    private readonly SemaphoreSlim _allocation = new(1, 1);
    private long _next = -1;
    private long _end = -1;

    /// <summary>A producer id never handed out before.</summary>
    public async ValueTask<long> NextAsync(CancellationToken cancellationToken)
    {
        await _allocation.WaitAsync(cancellationToken);
        try
        {
            if (_next < 0 || _next >= _end)
            {
                long start = 0;
                var image = await metadata.UpdateAsync(current =>
                {
                    start = current.ProducerIdBlockEnd;
                    return current.WithProducerIdBlockEnd(start + BlockSize);
                }, cancellationToken);
                _next = start;
                _end = image.ProducerIdBlockEnd;
            }

            return _next++;
        }
        finally
        {
            _allocation.Release();
        }
    }
}
