using System.CommandLine;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel perf group-commit</c>: offset commits per second across many groups; see <see cref="GroupCommitPerformance"/>.</summary>
internal sealed class PerfGroupCommitCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public PerfGroupCommitCommand()
        : base("group-commit", "Offset commits per second across many consumer groups.")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(Groups);
        Options.Add(Concurrency);
        Options.Add(Duration);
        foreach (var option in new[] { Groups, Concurrency })
        {
            option.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<int>() < 1)
                {
                    r.AddError($"{option.Name} must be at least 1.");
                }
            });
        }
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "An existing topic whose partition 0 the commits name.", Required = true };

    public Option<int> Groups { get; } = new("--groups") { Description = "Distinct group ids to commit for, in turn.", DefaultValueFactory = _ => 1000 };

    public Option<int> Concurrency { get; } = new("--concurrency") { Description = "Commit requests in flight.", DefaultValueFactory = _ => 16 };

    public Option<long> Duration { get; } = PerfCommand.CreateMillisecondsOption("--duration", 10_000, "How long to commit, in milliseconds.");

    protected override Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new GroupCommitPerformance(
            parseResult.GetRequiredValue(Topic),
            parseResult.GetValue(Groups),
            parseResult.GetValue(Concurrency),
            TimeSpan.FromMilliseconds(parseResult.GetValue(Duration)),
            _client.BuildConfig(parseResult),
            output,
            error).RunAsync(cancellationToken);
}
