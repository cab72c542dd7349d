namespace Runnel.Protocol.Records;

/// <summary>
/// Who is appending, as Kafka's <c>AppendOrigin</c>: client batches get the checks that protect the
/// log from producers (base offset 0, consistent offset range, no control batches, a sequence when
/// idempotent); batches the broker writes itself (group and transaction coordinators) do not.
/// </summary>
public enum AppendOrigin
{
    /// <summary>A Produce request.</summary>
    Client = 0,

    /// <summary>A coordinator writing to an internal topic or a transaction marker.</summary>
    Coordinator,
}
