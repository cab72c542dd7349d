using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Cleaner;

public sealed class CleanerConcurrencyTests : IDisposable
{
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>
    /// A reader scans the whole log over and over while the cleaner rewrites it pass after pass (a
    /// 3-key map over 12 keys) and a producer appends: every scan sees strictly increasing offsets,
    /// each record exactly as appended, and the latest record of every key that existed when it started.
    /// Old segments stay readable through their open handles until file.delete.delay.ms (fake time,
    /// never reached here), as with retention.
    /// </summary>
    [Fact]
    public async Task A_reader_sees_a_consistent_log_while_the_cleaner_swaps_segments()
    {
        var log = _fx.Open(LogConfig.Default with { IndexIntervalBytes = 64 });
        var appended = new List<StoredRecord>();
        for (var round = 0; round < 4; round++)
        {
            for (var key = 0; key < 12; key++)
            {
                appended.AddRange(KeyedLog.Append(log, ($"k{key}", $"r{round}")));
            }

            log.Roll();
        }

        var snapshot = appended.ToList();
        var cleaning = Task.Run(() =>
        {
            var cleaner = new LogCleaner(CleanerOptions.Default with { DedupeBufferSize = 4 * OffsetMap.SlotSize }, _fx.Fs);
            for (var i = 0; i < 3; i++)
            {
                cleaner.Clean(log, 0L, _fx.Time.GetUtcNow());
            }
        }, TestContext.Current.CancellationToken);

        var scans = 0;
        while (!cleaning.IsCompleted || scans < 3)
        {
            var records = KeyedLog.ReadAll(log).Records;
            KeyedLog.AssertCompacted(records, snapshot, cleanEnd: 0);
            scans++;
        }

        await cleaning;
        Assert.True(scans >= 3);
        KeyedLog.AssertCompacted(KeyedLog.ReadAll(log).Records, snapshot, cleanEnd: 48);
        Assert.Equal(12, KeyedLog.ReadAll(log).Records.Count);
    }
}
