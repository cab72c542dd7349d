namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// Receives each record <see cref="FetchedRecordCounter"/> counts, as a consumer application would
/// (<c>runnel perf e2e --wire-consumer</c> reads each value's send time). The spans are valid only
/// during the call: they point into the fetch response or a pooled decompression buffer.
/// </summary>
internal interface IFetchedRecordSink
{
    /// <summary>One delivered record: its offset, key and value.</summary>
    void Deliver(long offset, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
}
