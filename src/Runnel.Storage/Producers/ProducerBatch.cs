namespace Runnel.Storage.Producers;

/// <summary>One batch an idempotent producer appended (Kafka's <c>BatchMetadata</c>): its sequence range and where it landed.</summary>
public readonly record struct ProducerBatch(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long MaxTimestamp);
