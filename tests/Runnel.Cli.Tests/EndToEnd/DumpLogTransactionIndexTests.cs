using System.Buffers.Binary;
using Runnel.Cli.Commands;
using Runnel.TestKit;

namespace Runnel.Cli.Tests.EndToEnd;

/// <summary><c>runnel dump-log</c> on a <c>.txnindex</c> written by a partition log holding <see cref="AbortedTransactionsScenario"/>.</summary>
public sealed class DumpLogTransactionIndexTests
{
    private const string FirstSegment = "00000000000000000000";

    /// <summary>A partition directory holding the scenario in one segment; returns its <c>.txnindex</c>.</summary>
    private static async Task<string> WriteScenarioAsync(TempDirectory directory)
    {
        string partition = directory.Combine("t-0");
        await AbortedTransactionsScenario.WriteAsync(partition, "t");
        return Path.Combine(partition, FirstSegment + ".txnindex");
    }

    [Fact]
    public async Task Dump_log_prints_each_aborted_transaction_as_kafka_dump_log_does()
    {
        using TempDirectory directory = new("dump-log-txnindex");
        string txnIndex = await WriteScenarioAsync(directory);

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", txnIndex);

        dump.AssertSuccess();
        Assert.Empty(dump.Error);
        Assert.Equal(
            [
                $"Dumping {txnIndex}",
                "version: 0 producerId: 9001 firstOffset: 1 lastOffset: 5 lastStableOffset: 6",
                "version: 0 producerId: 9003 firstOffset: 7 lastOffset: 11 lastStableOffset: 6",
                "version: 0 producerId: 9002 firstOffset: 6 lastOffset: 15 lastStableOffset: 16",
            ],
            dump.Lines);
    }

    [Fact]
    public async Task Dump_log_reports_an_entry_without_its_abort_marker_and_a_torn_tail()
    {
        using TempDirectory directory = new("dump-log-txnindex-damaged");
        string txnIndex = await WriteScenarioAsync(directory);

        // The second entry now names offset 12, P1's COMMIT marker, and a crash left half an entry.
        byte[] bytes = File.ReadAllBytes(txnIndex);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(34 + 18), 12);
        File.WriteAllBytes(txnIndex, [.. bytes, .. new byte[17]]);

        CliResult dump = await CliRunner.RunAsync(null, "dump-log", "--files", txnIndex);

        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, dump.ExitCode);
        Assert.Equal(4, dump.Lines.Length);
        Assert.Equal(
            [
                $"The following aborted transactions have no ABORT marker in the log of {txnIndex}",
                "  producerId: 9003, lastOffset: 12",
                $"Corruption in {txnIndex}",
                "  position 102: 17 bytes after the last whole 34-byte entry",
            ],
            dump.ErrorLines);
    }

    [Fact]
    public async Task Dump_log_sanity_check_of_a_txnindex_says_whether_the_broker_would_load_it()
    {
        using TempDirectory directory = new("dump-log-txnindex-sanity");
        string txnIndex = await WriteScenarioAsync(directory);

        CliResult sound = await CliRunner.RunAsync(null, "dump-log", "--files", txnIndex, "--index-sanity-check");
        File.WriteAllBytes(txnIndex, [.. File.ReadAllBytes(txnIndex), 1]);
        CliResult torn = await CliRunner.RunAsync(null, "dump-log", "--files", txnIndex, "--index-sanity-check");

        sound.AssertSuccess();
        Assert.Equal($"{txnIndex} passed sanity check.", sound.Lines[^1]);
        Assert.Equal(DumpLogCommand.ProblemsFoundExitCode, torn.ExitCode);
        Assert.Equal($"{txnIndex} failed sanity check: 1 bytes after the last whole 34-byte entry", torn.Lines[^1]);
    }
}
