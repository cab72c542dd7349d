using System.Globalization;
using System.Text.RegularExpressions;
using Runnel.Broker;
using Runnel.Cli.Commands;
using Runnel.TestKit;

namespace Runnel.Cli.Tests.EndToEnd;

[Collection(CliBrokerCollection.Name)]
public sealed partial class DumpLogEndToEndTests(CliBrokerFixture broker)
{
    private const string FirstSegment = "00000000000000000000";

    [Fact]
    public async Task Dump_log_prints_uncompressed_and_gzip_batches_and_their_records()
    {
        string topic = await broker.CreateTopicAsync("dump");
        await ProduceAsync(topic, "none", "a\thello\nb\tworld\nc\tagain\n");

        // librdkafka sends a batch uncompressed when compressing does not make it smaller.
        string zipped = new('x', 400);
        string deflated = new('y', 400);
        await ProduceAsync(topic, "gzip", $"d\t{zipped}\ne\t{deflated}\n");
        string segment = SegmentPath(topic, ".log");

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", segment, "--deep-iteration", "--print-data-log");

        dump.AssertSuccess();
        Assert.Empty(dump.Error);
        string[] lines = dump.Lines;
        Assert.Equal($"Dumping {segment}", lines[0]);
        Assert.Equal("Log starting offset: 0", lines[1]);

        List<(long Offset, string Key, string Payload, string Codec)> records = [];
        string codec = "";
        long expectedPosition = 0;
        long nextOffset = 0;
        foreach (string line in lines[2..])
        {
            if (BatchLine().Match(line) is { Success: true } batch)
            {
                Assert.Equal(nextOffset, long.Parse(batch.Groups["base"].Value, CultureInfo.InvariantCulture));
                Assert.Equal(expectedPosition, long.Parse(batch.Groups["position"].Value, CultureInfo.InvariantCulture));
                expectedPosition += long.Parse(batch.Groups["size"].Value, CultureInfo.InvariantCulture);
                nextOffset = long.Parse(batch.Groups["last"].Value, CultureInfo.InvariantCulture) + 1;
                codec = batch.Groups["codec"].Value;
                continue;
            }

            Match record = RecordLine().Match(line);
            Assert.True(record.Success, $"not a batch or record line: {line}");
            records.Add((long.Parse(record.Groups["offset"].Value, CultureInfo.InvariantCulture), record.Groups["key"].Value, record.Groups["payload"].Value, codec));
        }

        Assert.Equal(
            [(0, "a", "hello", "none"), (1, "b", "world", "none"), (2, "c", "again", "none"), (3, "d", zipped, "gzip"), (4, "e", deflated, "gzip")],
            records);
        Assert.Equal(5, nextOffset);
        Assert.Equal(new FileInfo(segment).Length, expectedPosition);
    }

    [Fact]
    public async Task Dump_log_reports_a_torn_tail_after_the_valid_batches()
    {
        using TempDirectory directory = new("dump-log-torn");
        string segment = await CopyOfSegmentAsync(directory);
        long validLength = new FileInfo(segment).Length;

        // A batch header that claims 4096 bytes, cut off after 23: what a crash mid-write leaves.
        byte[] torn = new byte[23];
        torn[7] = 3; // baseOffset 3
        torn[10] = 0x10; // batchLength 0x1000
        AppendBytes(segment, torn);

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", segment);

        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, dump.ExitCode);
        Assert.All(dump.Lines.Where(l => l.StartsWith("baseOffset:", StringComparison.Ordinal)), l => Assert.EndsWith(" isvalid: true", l, StringComparison.Ordinal));
        Assert.Equal($"Found 23 invalid bytes at the end of {FirstSegment}.log", dump.Lines[^1]);
        Assert.Equal(
            [$"Corruption in {segment}", $"  position {validLength}: torn tail: a 4108-byte batch but only 23 bytes remain"],
            dump.ErrorLines);
    }

    [Fact]
    public async Task Dump_log_shows_a_running_preallocated_segment_s_zeros_as_unused_space()
    {
        // preallocate=true keeps written zeros ahead of the active segment's data while the broker runs.
        string topic = await broker.CreateTopicAsync("dump-prealloc", 1, "preallocate=true");
        await ProduceAsync(topic, "none", "a\tone\nb\ttwo\n");
        string segment = SegmentPath(topic, ".log");
        long fileLength = new FileInfo(segment).Length;

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", segment);

        dump.AssertSuccess();
        Assert.Empty(dump.Error);
        // The producer may send the two records in one batch or two (librdkafka's timing): the data ends after the last.
        Match[] batches = [.. dump.Lines.Select(l => BatchLine().Match(l)).Where(m => m.Success)];
        Assert.NotEmpty(batches);
        Match batch = batches[^1];
        long dataEnd = long.Parse(batch.Groups["position"].Value, CultureInfo.InvariantCulture) + long.Parse(batch.Groups["size"].Value, CultureInfo.InvariantCulture);
        Assert.True(fileLength - dataEnd >= 1024 * 1024, $"the file holds {fileLength} bytes for {dataEnd} of data: no preallocation to show");
        Assert.Equal(
            $"Found {fileLength - dataEnd} bytes of zeros after the last batch of {FirstSegment}.log (space preallocated ahead of the data, or left unwritten by a crash)",
            dump.Lines[^1]);
    }

    [Fact]
    public async Task Dump_log_reports_zeros_followed_by_other_bytes_as_a_torn_tail()
    {
        using TempDirectory directory = new("dump-log-zeros");
        string segment = await CopyOfSegmentAsync(directory);
        long validLength = new FileInfo(segment).Length;
        byte[] tail = new byte[4096];
        tail[^1] = 7; // zeros, then one byte that a preallocation never writes
        AppendBytes(segment, tail);

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", segment);

        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, dump.ExitCode);
        Assert.Equal($"Found 4096 invalid bytes at the end of {FirstSegment}.log", dump.Lines[^1]);
        Assert.Equal(
            [$"Corruption in {segment}", $"  position {validLength}: torn tail: batch length 0 is below the minimum 49"],
            dump.ErrorLines);
    }

    [Fact]
    public async Task Dump_log_reports_garbage_that_cannot_be_a_batch()
    {
        using TempDirectory directory = new("dump-log-garbage");
        string segment = await CopyOfSegmentAsync(directory);
        long validLength = new FileInfo(segment).Length;
        AppendBytes(segment, [.. Enumerable.Repeat((byte)0xAB, 8), 0, 0, 0, 3, .. Enumerable.Repeat((byte)0xCD, 60)]);

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", segment, "--deep-iteration");

        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, dump.ExitCode);
        Assert.Equal($"Found 72 invalid bytes at the end of {FirstSegment}.log", dump.Lines[^1]);
        Assert.Equal(
            [$"Corruption in {segment}", $"  position {validLength}: not a batch: batch length 3 is below the minimum 49"],
            dump.ErrorLines);
    }

    [Fact]
    public async Task Dump_log_marks_a_batch_with_a_bad_crc_invalid_and_goes_on()
    {
        using TempDirectory directory = new("dump-log-crc");
        string segment = await CopyOfSegmentAsync(directory);
        long length = new FileInfo(segment).Length;

        // The last byte belongs to the last record's value, inside the CRC's range.
        using (FileStream file = new(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = length - 1;
            int last = file.ReadByte();
            file.Position = length - 1;
            file.WriteByte((byte)(last ^ 0x01));
        }

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", segment, "--deep-iteration");

        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, dump.ExitCode);
        string[] batches = [.. dump.Lines.Where(l => l.StartsWith("baseOffset:", StringComparison.Ordinal))];
        Assert.EndsWith(" isvalid: false", batches[^1], StringComparison.Ordinal);
        Assert.All(batches[..^1], l => Assert.EndsWith(" isvalid: true", l, StringComparison.Ordinal));
        Assert.DoesNotContain(dump.Lines, l => l.StartsWith("Found ", StringComparison.Ordinal));
        Assert.Equal($"Corruption in {segment}", dump.ErrorLines[0]);
        Assert.Matches(@"^  position \d+: CRC-32C 0x[0-9A-F]{8} but the bytes give 0x[0-9A-F]{8}$", dump.ErrorLines[1]);
    }

    [Fact]
    public async Task Dump_log_prints_index_entries_that_point_at_their_batches()
    {
        // An index entry before every batch but the first; one produce run per batch.
        string topic = await broker.CreateTopicAsync("index", 1, "index.interval.bytes=1");
        await ProduceAsync(topic, "none", "k0\tv0\n");
        await ProduceAsync(topic, "none", "k1\tv1\n");
        await ProduceAsync(topic, "none", "k2\tv2\n");
        string log = SegmentPath(topic, ".log");
        string index = SegmentPath(topic, ".index");
        string timeIndex = SegmentPath(topic, ".timeindex");

        CliResult logDump = await CliRunner.RunAsync(null, "dump-log", "--files", log);
        logDump.AssertSuccess();
        Match[] batches = [.. logDump.Lines.Select(l => BatchLine().Match(l)).Where(m => m.Success)];
        Assert.Equal(3, batches.Length);

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", $"{index},{timeIndex}");

        dump.AssertSuccess();
        Assert.Empty(dump.Error);
        Assert.Equal(
            [
                $"Dumping {index}",
                $"offset: 1 position: {batches[1].Groups["position"].Value}",
                $"offset: 2 position: {batches[2].Groups["position"].Value}",
                $"Dumping {timeIndex}",
                $"timestamp: {batches[1].Groups["timestamp"].Value} offset: 1",
                $"timestamp: {batches[2].Groups["timestamp"].Value} offset: 2",
            ],
            dump.Lines);

        CliResult sanity = await CliRunner.RunAsync(null, "dump-log", "--files", $"{index},{timeIndex}", "--index-sanity-check");
        sanity.AssertSuccess();
        Assert.Equal([$"Dumping {index}", $"{index} passed sanity check.", $"Dumping {timeIndex}", $"{timeIndex} passed sanity check."], sanity.Lines);

        CliResult verify = await CliRunner.RunAsync(null, "dump-log", "--files", index, "--verify-index-only");
        verify.AssertSuccess();
        Assert.Equal([$"Dumping {index}"], verify.Lines);
        Assert.Empty(verify.Error);
    }

    [Fact]
    public async Task Dump_log_reports_index_entries_that_point_elsewhere()
    {
        string topic = await broker.CreateTopicAsync("index-mismatch", 1, "index.interval.bytes=1");
        await ProduceAsync(topic, "none", "k0\tv0\n");
        await ProduceAsync(topic, "none", "k1\tv1\n");
        using TempDirectory directory = new("dump-log-index");
        string log = directory.Combine(FirstSegment + ".log");
        string index = directory.Combine(FirstSegment + ".index");
        File.Copy(SegmentPath(topic, ".log"), log);
        File.Copy(SegmentPath(topic, ".index"), index);

        // The one entry (offset 1) now says position 0, where the batch of offset 0 starts.
        using (FileStream file = new(index, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 16 + 4;
            file.Write([0, 0, 0, 0]);
        }

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", index);
        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, dump.ExitCode);
        Assert.Equal([$"Dumping {index}", "offset: 1 position: 0"], dump.Lines);
        Assert.Equal([$"Mismatches in :{index}", "  Index offset: 1, log offset: 0"], dump.ErrorLines);

        CliResult sanity = await CliRunner.RunAsync(null, "dump-log", "--files", index, "--index-sanity-check");
        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, sanity.ExitCode);
        Assert.Equal($"{index} failed sanity check: the batch at the last entry's position 0 has base offset 0, not 1", sanity.Lines[^1]);
    }

    [Fact]
    public async Task Dump_log_prints_the_checkpoints_and_marker_a_clean_shutdown_leaves()
    {
        // A broker of its own: only a shutdown writes the checkpoints and the marker.
        using TempDirectory dataDirectory = new("dump-log-checkpoints");
        string topic = CliBrokerFixture.NewTopic("checkpoints");
        await using (RunnelBroker own = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dataDirectory.Path }))
        {
            string bootstrap = own.BootstrapServers;
            (await CliRunner.RunAsync(null, "topics", "create", "--topic", topic, "--partitions", "1", "--bootstrap-server", bootstrap)).AssertSuccess();
            (await CliRunner.RunAsync("x\ny\n", "produce", "--topic", topic, "--bootstrap-server", bootstrap)).AssertSuccess();
        }

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", dataDirectory.Path);

        dump.AssertSuccess();
        Assert.Empty(dump.Error);
        string[] lines = dump.Lines;
        int marker = Array.IndexOf(lines, $"Dumping {dataDirectory.Combine(".runnel_cleanshutdown")}");
        Assert.Equal("Clean shutdown marker version: 1", lines[marker + 1]);
        int logStart = Array.IndexOf(lines, $"Dumping {dataDirectory.Combine("log-start-offset-checkpoint")}");
        Assert.Matches(@"^Checkpoint version: 1 min-compatible-version: 1 entries: \d+$", lines[logStart + 1]);
        int recoveryPoint = Array.IndexOf(lines, $"Dumping {dataDirectory.Combine("recovery-point-offset-checkpoint")}");
        Assert.True(marker >= 0 && logStart > marker && recoveryPoint > logStart, string.Join('\n', lines));
        Assert.Contains($"topic: {topic} partition: 0 offset: 0", lines[logStart..recoveryPoint]);
        Assert.Contains($"topic: {topic} partition: 0 offset: 2", lines[recoveryPoint..]);
    }

    [GeneratedRegex(@"^baseOffset: (?<base>\d+) lastOffset: (?<last>\d+) count: (?<count>\d+) baseSequence: -?\d+ lastSequence: -?\d+ producerId: -?\d+ producerEpoch: -?\d+ partitionLeaderEpoch: \d+ isTransactional: false isControl: false deleteHorizonMs: OptionalLong\.empty position: (?<position>\d+) CreateTime: (?<timestamp>\d+) size: (?<size>\d+) magic: 2 compresscodec: (?<codec>none|gzip) crc: \d+ isvalid: true$")]
    private static partial Regex BatchLine();

    [GeneratedRegex(@"^\| offset: (?<offset>\d+) CreateTime: \d+ keySize: (?<keySize>\d+) valueSize: \d+ sequence: -?\d+ headerKeys: \[\] key: (?<key>\w+) payload: (?<payload>\w+)$")]
    private static partial Regex RecordLine();

    private async Task ProduceAsync(string topic, string codec, string lines)
    {
        CliResult produce = await broker.RunWithInputAsync(
            lines, "produce", "--topic", topic, "--compression-type", codec, "--property", "parse.key=true");
        produce.AssertSuccess();
    }

    private string SegmentPath(string topic, string extension) =>
        Path.Combine(broker.Broker.DataDirectory, $"{topic}-0", FirstSegment + extension);

    /// <summary>A topic with three records, and a copy of its segment to damage (the broker's own file stays intact).</summary>
    private async Task<string> CopyOfSegmentAsync(TempDirectory directory)
    {
        string topic = await broker.CreateTopicAsync("damaged");
        await ProduceAsync(topic, "none", "a\tone\nb\ttwo\n");
        await ProduceAsync(topic, "none", "c\tthree\n");
        string copy = directory.Combine(FirstSegment + ".log");
        File.Copy(SegmentPath(topic, ".log"), copy);
        return copy;
    }

    private static void AppendBytes(string path, byte[] bytes)
    {
        using FileStream file = new(path, FileMode.Append, FileAccess.Write);
        file.Write(bytes);
    }
}
