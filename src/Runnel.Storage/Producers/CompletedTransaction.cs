namespace Runnel.Storage.Producers;

/// <summary>A transaction a marker ended in this partition (Kafka's <c>CompletedTxn</c>): from its first offset to the marker's offset.</summary>
public readonly record struct CompletedTransaction(long ProducerId, long FirstOffset, long LastOffset, bool IsAborted);
