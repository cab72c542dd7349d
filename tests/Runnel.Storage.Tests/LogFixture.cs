using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests;

/// <summary>A temp directory, a fault-injecting file system over it, fake time, and helpers to open a log.</summary>
internal sealed class LogFixture : IDisposable
{
    public static readonly TopicPartition Tp = new("orders", 3);

    public TempDirectory Temp { get; } = new("storage");

    public FaultyFileSystem Fs { get; } = new();

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public string LogDirectory => Temp.Combine(Tp.ToString());

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public PartitionLog Open(LogConfig? config = null, long recoveryPoint = 0, long logStartOffset = 0, bool hadCleanShutdown = true) =>
        PartitionLog.Open(Tp, LogDirectory, config ?? LogConfig.Default, Fs, Time, NullLoggerFactory.Instance, recoveryPoint, logStartOffset, hadCleanShutdown);

    /// <summary>Appends one batch with the current fake time as timestamp.</summary>
    public static LogAppendResult Append(PartitionLog log, int records = 1, long? timestamp = null, int valueSize = 10) =>
        log.Append(TestBatches.Create(records, timestamp ?? 1_000, valueSize), leaderEpoch: 5, useLogAppendTime: false);

    /// <summary>Reads everything from <paramref name="from"/> to the end, batch by batch.</summary>
    public static List<Protocol.Records.RecordBatchHeader> ReadAll(PartitionLog log, long from)
    {
        var headers = new List<Protocol.Records.RecordBatchHeader>();
        var next = from;
        while (next < log.LogEndOffset)
        {
            using var result = log.Read(next, 1 << 20, long.MaxValue, minOneBatch: true);
            Assert.Equal(LogError.None, result.Error);
            var batches = TestBatches.Headers(result.Data.Span);
            Assert.NotEmpty(batches);
            headers.AddRange(batches);
            next = batches[^1].LastOffset + 1;
        }

        return headers;
    }

    public void Dispose() => Temp.Dispose();
}
