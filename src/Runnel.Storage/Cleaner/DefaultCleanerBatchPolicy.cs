using Runnel.Protocol.Records;

namespace Runnel.Storage.Cleaner;

/// <summary>Control batches are kept unchanged; data batches are filtered. Stateless.</summary>
public sealed class DefaultCleanerBatchPolicy : ICleanerBatchPolicy
{
    public static DefaultCleanerBatchPolicy Instance { get; } = new();

    private DefaultCleanerBatchPolicy()
    {
    }

    public CleanerBatchAction Decide(in RecordBatchHeader batch, bool mapping) =>
        batch.IsControl ? CleanerBatchAction.Keep : CleanerBatchAction.Filter;
}
