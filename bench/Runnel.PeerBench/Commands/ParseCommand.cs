using System.CommandLine;
using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Commands;

/// <summary>
/// <c>peerbench parse</c>: reads the output of one run's driver(s) and appends one sample line to
/// the samples file, with MiB/s and the server's CPU ms/MiB computed from the record size. Several
/// inputs are concurrent producers, combined by <see cref="DriverResult.Combine"/>. With
/// <c>--not-applicable REASON</c> it appends an n/a line instead. A driver output without a
/// summary appends an n/a line saying so and exits 1.
/// </summary>
internal sealed class ParseCommand : Command
{
    private readonly Option<DriverFormat> _format = new("--format") { Description = "The driver whose output this is." };
    private readonly Option<string> _workload = new("--workload") { Required = true };
    private readonly Option<string> _system = new("--system") { Required = true };
    private readonly Option<string> _pinning = new("--pinning") { DefaultValueFactory = _ => "unpinned" };
    private readonly Option<int> _run = new("--run") { DefaultValueFactory = _ => 1 };
    private readonly Option<int> _recordSize = new("--record-size") { Description = "Payload bytes per record." };
    private readonly Option<long> _records = new("--records") { Description = "Records (or requests) asked for; used when the output has no count." };
    private readonly Option<int> _recordsPerOp = new("--records-per-op") { Description = "Records each request moved (XRANGE/LRANGE COUNT).", DefaultValueFactory = _ => 1 };
    private readonly Option<double?> _serverCpuMs = new("--server-cpu-ms") { Description = "Server utime+stime over the run, in ms." };
    private readonly Option<bool> _noLatency = new("--no-latency") { Description = "Drop the driver's latency figures (e.g. request latency of a read benchmark)." };
    private readonly Option<string?> _notApplicable = new("--not-applicable") { Description = "Write an n/a sample with this reason instead of parsing." };
    private readonly Option<string?> _caveat = new("--caveat") { Description = "A footnote for these figures; the row is left out of the comparison with the best peer." };
    private readonly Option<FileInfo> _samples = new("--samples") { Description = "Samples file to append to.", Required = true };
    private readonly Argument<FileInfo[]> _inputs = new("inputs") { Description = "Driver output files (several for concurrent producers).", Arity = ArgumentArity.ZeroOrMore };

    public ParseCommand()
        : base("parse", "Turn a driver's output into a line of the samples file.")
    {
        Options.Add(_format);
        Options.Add(_workload);
        Options.Add(_system);
        Options.Add(_pinning);
        Options.Add(_run);
        Options.Add(_recordSize);
        Options.Add(_records);
        Options.Add(_recordsPerOp);
        Options.Add(_serverCpuMs);
        Options.Add(_noLatency);
        Options.Add(_notApplicable);
        Options.Add(_caveat);
        Options.Add(_samples);
        Arguments.Add(_inputs);
        SetAction(Run);
    }

    private int Run(ParseResult parseResult)
    {
        var (sample, error) = Build(parseResult);
        var samples = parseResult.GetRequiredValue(_samples);
        var isNew = !samples.Exists || samples.Length == 0;
        using (var writer = File.AppendText(samples.FullName))
        {
            if (isNew)
            {
                writer.WriteLine(Sample.Header);
            }

            writer.WriteLine(sample.ToLine());
        }

        if (error is not null)
        {
            parseResult.InvocationConfiguration.Error.WriteLine(error);
            return 1;
        }

        return 0;
    }

    private (Sample Sample, string? Error) Build(ParseResult parseResult)
    {
        var workload = parseResult.GetRequiredValue(_workload);
        var system = parseResult.GetRequiredValue(_system);
        var pinning = parseResult.GetRequiredValue(_pinning);
        var run = parseResult.GetValue(_run);
        if (parseResult.GetValue(_notApplicable) is { } reason)
        {
            return (new Sample(workload, system, pinning, run, null, reason), null);
        }

        List<DriverResult> parts = [];
        foreach (var input in parseResult.GetValue(_inputs) ?? [])
        {
            var text = input.Exists ? File.ReadAllText(input.FullName) : "";
            if (!DriverOutputParser.TryParse(parseResult.GetValue(_format), text, out var part))
            {
                var failure = $"run failed: no summary in the driver's output ({input.Name})";
                return (new Sample(workload, system, pinning, run, null, failure), $"{workload} {system}: {failure}");
            }

            parts.Add(part);
        }

        if (parts.Count == 0)
        {
            return (new Sample(workload, system, pinning, run, null, "run failed: no driver output"), $"{workload} {system}: no input files");
        }

        var measurement = DriverResult.Combine(parts).ToMeasurement(
            parseResult.GetValue(_recordSize),
            parseResult.GetValue(_records),
            parseResult.GetValue(_serverCpuMs),
            parseResult.GetValue(_recordsPerOp),
            keepLatency: !parseResult.GetValue(_noLatency));
        return (new Sample(workload, system, pinning, run, measurement, null, parseResult.GetValue(_caveat)), null);
    }
}
