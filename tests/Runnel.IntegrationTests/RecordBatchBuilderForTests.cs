using Runnel.Protocol.Records;

namespace Runnel.IntegrationTests;

/// <summary>Small valid batches for wire-level tests.</summary>
internal static class RecordBatchBuilderForTests
{
    public static byte[] SingleRecord(byte[] value) =>
        new RecordBatchBuilder().Append(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), key: null, value).ToArray();
}
