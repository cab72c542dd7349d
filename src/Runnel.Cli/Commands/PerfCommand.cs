using System.CommandLine;
using System.CommandLine.Parsing;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel perf produce|consume|e2e|group-join|group-commit</c>: end-to-end benchmarks, the first three modelled on Kafka's perf-test and e2e-latency tools.</summary>
internal sealed class PerfCommand : Command
{
    public PerfCommand()
        : base("perf", "End-to-end benchmarks (like kafka-producer-perf-test, kafka-consumer-perf-test and kafka-e2e-latency).")
    {
        Subcommands.Add(new PerfProduceCommand());
        Subcommands.Add(new PerfConsumeCommand());
        Subcommands.Add(new PerfEndToEndCommand());
        Subcommands.Add(new PerfGroupJoinCommand());
        Subcommands.Add(new PerfGroupCommitCommand());
    }

    /// <summary><c>--csv FILE</c>: append a summary row to a CSV file.</summary>
    /// <summary>
    /// An option's value as the command validator sees it: <paramref name="fallback"/> when it was
    /// not given, or when it does not parse (given twice, not a number): the parser reports that
    /// error itself, and asking for the value would throw.
    /// </summary>
    internal static T ValueOr<T>(CommandResult command, Option<T> option, T fallback)
    {
        if (command.GetResult(option) is not { } result)
        {
            return fallback;
        }

        try
        {
            return result.GetValueOrDefault<T>() ?? fallback;
        }
        catch (InvalidOperationException)
        {
            return fallback;
        }
    }

    internal static Option<string> CreateCsvOption() => new("--csv")
    {
        Description = "Append a summary row to this CSV file (header written when the file is new).",
        HelpName = "file",
    };

    /// <summary><c>--broker-pid PID</c>: report the broker's CPU per MiB, cores used, peak RSS and disk writes (Linux /proc).</summary>
    internal static Option<int?> CreateBrokerPidOption()
    {
        Option<int?> option = new("--broker-pid")
        {
            Description = "Report this local broker process's CPU ms per MiB, cores used, peak RSS and disk bytes written per payload byte (from /proc).",
            HelpName = "pid",
        };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--broker-pid must be a process id.");
            }
        });
        return option;
    }

    /// <summary><c>--metrics-url URL</c>: report the broker's GC collections, pause time and allocation per record during the run.</summary>
    internal static Option<string> CreateMetricsUrlOption() => new("--metrics-url")
    {
        Description = "The broker's Prometheus endpoint (runnel.metrics.listener, e.g. http://127.0.0.1:9404): report its GC collections per generation, GC pause time and bytes allocated per record during the run.",
        HelpName = "url",
    };

    /// <summary>A positive millisecond count option.</summary>
    internal static Option<long> CreateMillisecondsOption(string name, long defaultValue, string description)
    {
        Option<long> option = new(name)
        {
            Description = description,
            HelpName = "ms",
            DefaultValueFactory = _ => defaultValue,
        };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }
}
