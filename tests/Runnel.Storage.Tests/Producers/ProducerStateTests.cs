using Runnel.Protocol.Records;
using Runnel.Storage.Log;
using Runnel.Storage.Producers;

namespace Runnel.Storage.Tests.Producers;

/// <summary>Kafka's idempotent-producer rules, on the state alone and through a partition log.</summary>
public sealed class ProducerStateTests : IDisposable
{
    private const long Pid = 4000;
    private readonly LogFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static byte[] Batch(long pid, short epoch, int baseSequence, int records = 1, long timestamp = 1_000)
    {
        var builder = new RecordBatchBuilder { ProducerId = pid, ProducerEpoch = epoch, BaseSequence = baseSequence };
        for (var i = 0; i < records; i++)
        {
            builder.Append(timestamp, "k"u8.ToArray(), "v"u8.ToArray());
        }

        return builder.ToArray();
    }

    private static RecordBatchHeader Header(long pid, short epoch, int baseSequence, int records = 1) =>
        RecordBatchHeader.Read(Batch(pid, epoch, baseSequence, records));

    [Fact]
    public void Sequences_must_follow_on_within_an_epoch_and_an_unknown_producer_may_start_anywhere()
    {
        var state = new ProducerStateManager();
        Assert.Equal(ProducerCheckResult.Append, state.Check(Header(Pid, 0, 17, 3)).Result);
        state.Record(Header(Pid, 0, 17, 3), 0, 2);

        Assert.Equal(ProducerCheckResult.Append, state.Check(Header(Pid, 0, 20)).Result);
        Assert.Equal(ProducerCheckResult.OutOfOrderSequence, state.Check(Header(Pid, 0, 21)).Result);
        Assert.Equal(ProducerCheckResult.OutOfOrderSequence, state.Check(Header(Pid, 0, 18)).Result);
        Assert.Equal(19, state.Get(Pid)!.LastSequence);
    }

    [Fact]
    public void A_retry_of_any_of_the_last_five_batches_is_a_duplicate_with_its_original_offsets()
    {
        var state = new ProducerStateManager();
        for (var i = 0; i < 6; i++)
        {
            state.Record(Header(Pid, 0, i * 2, 2), i * 10, (i * 10) + 1);
        }

        var check = state.Check(Header(Pid, 0, 2, 2));
        Assert.Equal(ProducerCheckResult.Duplicate, check.Result);
        Assert.Equal((10L, 11L), (check.Original.FirstOffset, check.Original.LastOffset));
        Assert.Equal(ProducerCheckResult.Duplicate, state.Check(Header(Pid, 0, 10, 2)).Result);

        // The first batch fell out of the five: a retry of it is out of order, as in Kafka.
        Assert.Equal(ProducerCheckResult.OutOfOrderSequence, state.Check(Header(Pid, 0, 0, 2)).Result);
        Assert.Equal(ProducerStateManager.BatchesToRetain, state.Get(Pid)!.Batches.Count);
    }

    [Fact]
    public void An_older_epoch_is_fenced_and_a_newer_one_must_start_at_sequence_zero()
    {
        var state = new ProducerStateManager();
        state.Record(Header(Pid, 3, 0, 5), 0, 4);

        Assert.Equal(ProducerCheckResult.InvalidProducerEpoch, state.Check(Header(Pid, 2, 5)).Result);
        Assert.Equal(ProducerCheckResult.OutOfOrderSequence, state.Check(Header(Pid, 4, 5)).Result);
        Assert.Equal(ProducerCheckResult.Append, state.Check(Header(Pid, 4, 0)).Result);

        state.Record(Header(Pid, 4, 0), 5, 5);
        // The old epoch's batches no longer identify duplicates.
        Assert.Equal(ProducerCheckResult.InvalidProducerEpoch, state.Check(Header(Pid, 3, 0, 5)).Result);
        Assert.Equal((short)4, state.Get(Pid)!.Epoch);
    }

    [Fact]
    public void Sequences_wrap_from_int_max_to_zero()
    {
        var state = new ProducerStateManager();
        var last = Header(Pid, 0, int.MaxValue - 1, 2);
        Assert.Equal(int.MaxValue, ProducerStateManager.LastSequence(last));
        state.Record(last, 0, 1);

        Assert.Equal(ProducerCheckResult.Append, state.Check(Header(Pid, 0, 0)).Result);
        Assert.Equal(0, ProducerStateManager.LastSequence(Header(Pid, 0, int.MaxValue, 2)));
    }

    [Fact]
    public void Only_expiry_forgets_a_producer_and_a_known_producer_without_batches_must_start_at_zero()
    {
        var state = new ProducerStateManager();
        state.Record(Header(Pid, 0, 0), 0, 0);
        state.Record(RecordBatchHeader.Read(new RecordBatchBuilder { ProducerId = Pid + 1, ProducerEpoch = 0, BaseSequence = -1, IsControl = true }
            .Append(2_000, [0, 0, 0, 1], [0, 0, 0, 0, 0, 0]).ToArray()), 1, 1);

        Assert.Equal(ProducerCheckResult.OutOfOrderSequence, state.Check(Header(Pid + 1, 0, 7)).Result);
        Assert.Equal(ProducerCheckResult.Append, state.Check(Header(Pid + 1, 0, 0)).Result);
        Assert.Equal(1, state.RemoveExpired(nowMs: 1_000 + 500, expirationMs: 500));
        Assert.Null(state.Get(Pid));
        Assert.Equal(1, state.Count);
    }

    [Fact]
    public async Task Retention_keeps_the_state_of_a_producer_whose_batches_it_deleted()
    {
        var log = _fx.Open(LogConfig.Default with { RetentionMs = 1_000, FileDeleteDelayMs = 0 });
        log.Append(Batch(Pid, 0, 0, timestamp: _fx.NowMs), leaderEpoch: 1, useLogAppendTime: false);
        _fx.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(log.EnforceRetention(_fx.Time.GetUtcNow()) > 0);

        // A retry of the deleted batch is still recognised (Kafka since KIP-360), not appended twice.
        var retry = log.Append(Batch(Pid, 0, 0, timestamp: _fx.NowMs), leaderEpoch: 1, useLogAppendTime: false);
        Assert.Equal(ProducerCheckResult.Duplicate, retry.Producer.Result);
        Assert.Equal(1, log.LogEndOffset);
        await log.CloseAsync();
    }

    [Fact]
    public async Task A_log_answers_a_retry_with_the_original_offsets_writes_nothing_and_remembers_it_after_reopening()
    {
        var log = _fx.Open();
        LogFixture.Append(log, records: 3);
        var first = log.Append(Batch(Pid, 0, 0, 2), leaderEpoch: 1, useLogAppendTime: false);
        var end = log.LogEndOffset;

        var retry = log.Append(Batch(Pid, 0, 0, 2), leaderEpoch: 1, useLogAppendTime: false);

        Assert.Equal(ProducerCheckResult.Duplicate, retry.Producer.Result);
        Assert.Equal((first.FirstOffset, first.LastOffset), (retry.FirstOffset, retry.LastOffset));
        Assert.Equal(end, log.LogEndOffset);
        var gap = log.Append(Batch(Pid, 0, 5), leaderEpoch: 1, useLogAppendTime: false);
        Assert.Equal(ProducerCheckResult.OutOfOrderSequence, gap.Producer.Result);
        Assert.Equal(-1, gap.FirstOffset);
        Assert.Equal(end, log.LogEndOffset);

        await log.CloseAsync();
        log = _fx.Open();

        var afterReopen = log.Append(Batch(Pid, 0, 0, 2), leaderEpoch: 1, useLogAppendTime: false);
        Assert.Equal(ProducerCheckResult.Duplicate, afterReopen.Producer.Result);
        Assert.Equal(first.FirstOffset, afterReopen.FirstOffset);
        Assert.Equal(ProducerCheckResult.Append, log.Append(Batch(Pid, 0, 2), leaderEpoch: 1, useLogAppendTime: false).Producer.Result);
        await log.CloseAsync();
    }

    [Fact]
    public async Task Truncation_rebuilds_the_state_so_removed_batches_can_be_sent_again()
    {
        var log = _fx.Open();
        log.Append(Batch(Pid, 0, 0), leaderEpoch: 1, useLogAppendTime: false);
        log.Append(Batch(Pid, 0, 1), leaderEpoch: 1, useLogAppendTime: false);

        log.TruncateTo(1);

        Assert.Equal(0, log.GetProducerState(Pid)!.LastSequence);
        Assert.Equal(ProducerCheckResult.Append, log.Append(Batch(Pid, 0, 1), leaderEpoch: 1, useLogAppendTime: false).Producer.Result);
        await log.CloseAsync();
    }

    [Fact]
    public async Task The_log_manager_forgets_producers_idle_longer_than_producer_id_expiration()
    {
        var options = new LogManagerOptions
        {
            Cleaner = null,
            ProducerIdExpiration = TimeSpan.FromSeconds(10),
            ProducerIdExpirationCheckInterval = TimeSpan.FromSeconds(1),
        };
        await using var manager = await LogManager.OpenAsync([_fx.Temp.Path], options, _fx.Fs, _fx.Time, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var log = manager.CreateLog(LogFixture.Tp, LogConfig.Default);
        log.Append(Batch(Pid, 0, 0, timestamp: _fx.NowMs), leaderEpoch: 1, useLogAppendTime: false);

        _fx.Time.Advance(TimeSpan.FromSeconds(5));
        manager.Tick();
        Assert.NotNull(log.GetProducerState(Pid));

        _fx.Time.Advance(TimeSpan.FromSeconds(6));
        manager.Tick();
        Assert.Null(log.GetProducerState(Pid));
        // Forgotten: the producer may start anywhere again, as after expiry in Kafka.
        Assert.Equal(ProducerCheckResult.Append, log.Append(Batch(Pid, 0, 9, timestamp: _fx.NowMs), leaderEpoch: 1, useLogAppendTime: false).Producer.Result);
    }

    [Fact]
    public async Task Compaction_keeps_a_producers_last_batch_so_its_sequence_survives_a_reopen()
    {
        var config = LogConfig.Default with { Compact = true, RetentionMs = -1, FileDeleteDelayMs = 0 };
        var log = _fx.Open(config);
        log.Append(KeyedBatch(Pid, 0, "b"), leaderEpoch: 1, useLogAppendTime: false);
        log.Roll();
        log.Append(KeyedBatch(Pid, 1, "a"), leaderEpoch: 1, useLogAppendTime: false);
        log.Roll();
        // Another producer's newer "a" supersedes the idempotent producer's last batch.
        log.Append(KeyedBatch(-1, -1, "a"), leaderEpoch: 1, useLogAppendTime: false);
        log.Roll();
        log.Append(KeyedBatch(-1, -1, "c"), leaderEpoch: 1, useLogAppendTime: false);

        new Runnel.Storage.Cleaner.LogCleaner(Runnel.Storage.Cleaner.CleanerOptions.Default with { DedupeBufferSize = 1 << 20 }, _fx.Fs).Clean(log, _fx.Time.GetUtcNow());
        await log.CloseAsync();
        log = _fx.Open(config);

        Assert.Equal(1, log.GetProducerState(Pid)!.LastSequence);
        Assert.Equal(ProducerCheckResult.Append, log.Append(KeyedBatch(Pid, 2, "d"), leaderEpoch: 1, useLogAppendTime: false).Producer.Result);
        await log.CloseAsync();
    }

    private static byte[] KeyedBatch(long pid, int sequence, string key) =>
        new RecordBatchBuilder { ProducerId = pid, ProducerEpoch = (short)(pid < 0 ? -1 : 0), BaseSequence = sequence }
            .Append(1_000, System.Text.Encoding.UTF8.GetBytes(key), "v"u8.ToArray()).ToArray();

    [Fact]
    public async Task A_clean_close_snapshots_the_state_and_the_next_open_loads_it_instead_of_replaying()
    {
        var log = _fx.Open();
        log.Append(Batch(Pid, 0, 0), leaderEpoch: 1, useLogAppendTime: false);
        log.Roll();
        log.Append(Batch(Pid, 0, 1), leaderEpoch: 1, useLogAppendTime: false);
        Assert.Equal([1L], ProducerStateSnapshot.List(_fx.Fs, log.Directory));
        await log.CloseAsync();
        Assert.Equal([1L, 2L], ProducerStateSnapshot.List(_fx.Fs, log.Directory));

        // A snapshot at the log end that says epoch 9: only loading it (not replaying) can show that.
        var forged = new ProducerStateEntry(Pid);
        forged.Reset(9);
        forged.Add(new ProducerBatch(1, 1, 1, 1, 1_000));
        ProducerStateSnapshot.Write(_fx.Fs, log.Directory, 2, [forged]);
        log = _fx.Open();

        Assert.Equal((short)9, log.GetProducerState(Pid)!.Epoch);
        await log.CloseAsync();
    }

    [Fact]
    public async Task Snapshots_above_the_log_end_are_deleted_and_a_torn_one_falls_back_to_replay()
    {
        var log = _fx.Open();
        log.Append(Batch(Pid, 0, 0, 3), leaderEpoch: 1, useLogAppendTime: false);
        await log.CloseAsync();
        var snapshot = ProducerStateSnapshot.FilePath(log.Directory, 3);
        var bytes = File.ReadAllBytes(snapshot);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(snapshot, bytes);
        ProducerStateSnapshot.Write(_fx.Fs, log.Directory, 50, []);

        Assert.Null(ProducerStateSnapshot.TryRead(_fx.Fs, snapshot));
        log = _fx.Open();

        Assert.DoesNotContain(50L, ProducerStateSnapshot.List(_fx.Fs, log.Directory));
        Assert.Equal(2, log.GetProducerState(Pid)!.LastSequence);
        Assert.Equal(ProducerCheckResult.Duplicate, log.Append(Batch(Pid, 0, 0, 3), leaderEpoch: 1, useLogAppendTime: false).Producer.Result);
        await log.CloseAsync();
    }

    [Fact]
    public void A_snapshot_round_trips_every_field()
    {
        var entry = new ProducerStateEntry(Pid) { LastTimestamp = 77 };
        entry.Reset(3);
        for (var i = 0; i < 6; i++)
        {
            entry.Add(new ProducerBatch(i, i + 1, 100 + i, 101 + i, 1_000 + i));
        }

        ProducerStateSnapshot.Write(_fx.Fs, _fx.Temp.Path, 42, [entry, new ProducerStateEntry(Pid + 1)]);
        var read = ProducerStateSnapshot.TryRead(_fx.Fs, ProducerStateSnapshot.FilePath(_fx.Temp.Path, 42))!;

        Assert.Equal(2, read.Count);
        Assert.Equal((Pid, (short)3, 77L), (read[0].ProducerId, read[0].Epoch, read[0].LastTimestamp));
        Assert.Equal(entry.Batches, read[0].Batches);
        Assert.Empty(read[1].Batches);
    }

    [Fact]
    public void A_producer_batch_must_be_appended_alone()
    {
        var log = _fx.Open();
        byte[] two = [.. Batch(Pid, 0, 0), .. Batch(Pid, 0, 1)];

        Assert.Throws<ArgumentException>(() => log.Append(two, leaderEpoch: 1, useLogAppendTime: false));
        Assert.Equal(0, log.LogEndOffset);
    }
}
