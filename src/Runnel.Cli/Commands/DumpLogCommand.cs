using System.CommandLine;
using System.Text;
using Runnel.Cli.DumpLog;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel dump-log</c>: prints Runnel's on-disk files, read directly (no broker), in the format of
/// Kafka's <c>kafka-dump-log.sh</c> (<c>DumpLogSegments</c>): segments (<c>.log</c>) batch by batch and,
/// with <c>--deep-iteration</c>/<c>--print-data-log</c>, record by record; offset, time and
/// aborted-transaction indexes, checked against their segment; and Runnel's checkpoint files and
/// clean-shutdown marker.
/// </summary>
/// <remarks>
/// Damage is reported, never thrown: a bad CRC prints <c>isvalid: false</c>, a torn or garbled tail
/// prints Kafka's <c>Found N invalid bytes at the end of F</c>, and the details follow on stderr
/// after all files, like Kafka's closing reports. Exit code: 0 when everything read cleanly, 2 when
/// something is damaged or inconsistent, 1 when a file could not be read at all. Memory stays
/// bounded whatever the file size (see <see cref="SegmentDumper"/>).
/// </remarks>
internal sealed class DumpLogCommand : ToolCommand
{
    /// <summary>Exit code when a dumped file is damaged or inconsistent.</summary>
    public const int ProblemsFoundExitCode = 2;

    public DumpLogCommand()
        : base("dump-log", "Print segments, indexes and checkpoint files of a log directory, read directly from disk (like kafka-dump-log).")
    {
        Options.Add(Files);
        Options.Add(PrintDataLog);
        Options.Add(DeepIteration);
        Options.Add(VerifyIndexOnly);
        Options.Add(IndexSanityCheck);
        Options.Add(MaxBytes);
        Options.Add(MaxMessageSize);
        Options.Add(SkipRecordMetadata);
        MaxBytes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0)
            {
                r.AddError("--max-bytes must not be negative.");
            }
        });
        MaxMessageSize.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < Protocol.Records.RecordBatchHeader.Size)
            {
                r.AddError($"--max-message-size must be at least {Protocol.Records.RecordBatchHeader.Size}.");
            }
        });
    }

    public Option<string[]> Files { get; } = new("--files")
    {
        Description = "The files to dump, comma separated: .log, .index, .timeindex, .txnindex, checkpoint files; a directory means the files in it.",
        HelpName = "file1,file2",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> PrintDataLog { get; } = new("--print-data-log") { Description = "Print each record's key and value (implies --deep-iteration)." };

    public Option<bool> DeepIteration { get; } = new("--deep-iteration") { Description = "Print every record, not only every batch." };

    public Option<bool> VerifyIndexOnly { get; } = new("--verify-index-only") { Description = "Check index entries against the log without printing them." };

    public Option<bool> IndexSanityCheck { get; } = new("--index-sanity-check")
    {
        Description = "Only run the checks the broker runs when it loads an index, and say whether they pass.",
    };

    public Option<long> MaxBytes { get; } = new("--max-bytes")
    {
        Description = "Read at most this many bytes of each .log (whole batches only).",
        DefaultValueFactory = _ => long.MaxValue,
    };

    public Option<int> MaxMessageSize { get; } = new("--max-message-size")
    {
        Description = "Largest batch held in memory to print its records (larger ones are CRC-checked in chunks; default 64 MiB).",
        DefaultValueFactory = _ => SegmentDumper.MaxDecompressedBytes,
    };

    public Option<bool> SkipRecordMetadata { get; } = new("--skip-record-metadata") { Description = "Print only keys and values on record lines." };

    internal DumpLogSettings Bind(ParseResult parseResult)
    {
        List<string> files = [];
        foreach (string argument in parseResult.GetRequiredValue(Files))
        {
            foreach (string file in argument.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                files.Add(file);
            }
        }

        return new DumpLogSettings(
            files,
            parseResult.GetValue(PrintDataLog),
            parseResult.GetValue(DeepIteration),
            parseResult.GetValue(VerifyIndexOnly),
            parseResult.GetValue(IndexSanityCheck),
            parseResult.GetValue(MaxBytes),
            parseResult.GetValue(MaxMessageSize),
            parseResult.GetValue(SkipRecordMetadata));
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        DumpLogSettings settings = Bind(parseResult);
        if (!ReferenceEquals(output, Console.Out))
        {
            return Task.FromResult(Run(settings, output, error, cancellationToken));
        }

        // Console.Out flushes on every write; a buffered writer keeps multi-GB dumps fast.
        using StreamWriter stdout = new(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        return Task.FromResult(Run(settings, stdout, error, cancellationToken));
    }

    /// <summary>Dumps every file in order; returns the exit code.</summary>
    internal static int Run(DumpLogSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        DumpWriter writer = new(output);
        DumpFindings findings = new();
        int exitCode = 0;
        try
        {
            foreach (string file in Expand(settings.Files))
            {
                cancellationToken.ThrowIfCancellationRequested();
                writer.Text("Dumping ").Text(file).EndLine();
                try
                {
                    switch (DumpFileNames.Classify(file))
                    {
                        case DumpFileKind.Log:
                            SegmentDumper.Dump(file, settings, writer, findings);
                            break;
                        case DumpFileKind.OffsetIndex:
                            IndexDumper.DumpOffsetIndex(file, settings, writer, findings);
                            break;
                        case DumpFileKind.TimeIndex:
                            IndexDumper.DumpTimeIndex(file, settings, writer, findings);
                            break;
                        case DumpFileKind.TransactionIndex:
                            TransactionIndexDumper.Dump(file, settings, writer, findings);
                            break;
                        case DumpFileKind.OffsetCheckpoint:
                            CheckpointDumper.DumpOffsetCheckpoint(file, writer, findings);
                            break;
                        case DumpFileKind.CleanShutdownMarker:
                            CheckpointDumper.DumpCleanShutdownMarker(file, writer, findings);
                            break;
                        default:
                            output.Flush();
                            error.WriteLine($"Ignoring unknown file {file}");
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    output.Flush();
                    error.WriteLine($"Cannot read {file}: {e.Message}");
                    exitCode = 1;
                }
            }
        }
        finally
        {
            output.Flush();
            findings.WriteTo(error);
        }

        return exitCode != 0 ? exitCode : findings.HasProblems ? ProblemsFoundExitCode : 0;
    }

    /// <summary>
    /// The files as given, with each directory replaced by the files in it that dump-log knows, each
    /// segment's <c>.log</c> before its <c>.index</c>, <c>.timeindex</c> and <c>.txnindex</c>.
    /// </summary>
    private static IEnumerable<string> Expand(IReadOnlyList<string> files)
    {
        foreach (string file in files)
        {
            if (!Directory.Exists(file))
            {
                yield return file;
                continue;
            }

            List<(string Stem, DumpFileKind Kind, string Path)> children = [];
            foreach (string child in Directory.GetFiles(file))
            {
                DumpFileKind kind = DumpFileNames.Classify(child);
                if (kind != DumpFileKind.Unknown)
                {
                    string name = Path.GetFileName(child);
                    int dot = name.IndexOf('.', 1);
                    children.Add((dot < 0 ? name : name[..dot], kind, child));
                }
            }

            children.Sort(static (a, b) =>
            {
                int byStem = string.CompareOrdinal(a.Stem, b.Stem);
                return byStem != 0 ? byStem : a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Path, b.Path);
            });
            foreach ((_, _, string path) in children)
            {
                yield return path;
            }
        }
    }
}
