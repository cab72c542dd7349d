namespace Runnel.PeerBench.Drivers;

/// <summary>
/// The little the drivers need from a peer: one append-only stream that is written with
/// acknowledged publishes and read from its start. One instance is one connection; publishes may
/// be issued concurrently (the drivers keep a bounded window outstanding); consuming is one reader.
/// </summary>
internal interface IStreamClient : IAsyncDisposable
{
    /// <summary>Creates the stream if it does not exist yet.</summary>
    Task SetupAsync(CancellationToken cancellationToken);

    /// <summary>Publishes one record; completes when the server has acknowledged it.</summary>
    Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the stream from its first record, calling <paramref name="onRecord"/> for each (the
    /// memory is valid only during the call) until it returns false.
    /// </summary>
    Task ConsumeAsync(Func<ReadOnlyMemory<byte>, bool> onRecord, CancellationToken cancellationToken);
}
