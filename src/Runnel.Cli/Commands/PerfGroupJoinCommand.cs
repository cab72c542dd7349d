using System.CommandLine;
using Runnel.Cli.Kafka;
using Runnel.Cli.Perf;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel perf group-join</c>: time for a new group of N consumers to stabilise; see <see cref="GroupJoinPerformance"/>.</summary>
internal sealed class PerfGroupJoinCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public PerfGroupJoinCommand()
        : base("group-join", "Time for a new consumer group to stabilise: subscribe to first record for every member.")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(Members);
        Options.Add(Protocol);
        Options.Add(Runs);
        Protocol.AcceptOnlyFromAmong([.. GroupJoinPerformance.Protocols.Keys]);
        Members.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--members must be at least 1.");
            }
        });
        Runs.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--runs must be at least 1.");
            }
        });
    }

    public Option<string> Topic { get; } = new("--topic") { Description = "An existing topic with at least --members partitions.", Required = true };

    public Option<int> Members { get; } = new("--members") { Description = "Consumers in the group.", DefaultValueFactory = _ => 10 };

    public Option<string> Protocol { get; } = new("--protocol") { Description = "Group protocol and assignor.", DefaultValueFactory = _ => "classic-eager" };

    public Option<int> Runs { get; } = new("--runs") { Description = "Fresh groups to time.", DefaultValueFactory = _ => 3 };

    protected override Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new GroupJoinPerformance(
            parseResult.GetRequiredValue(Topic),
            parseResult.GetValue(Members),
            parseResult.GetValue(Protocol) ?? "classic-eager",
            parseResult.GetValue(Runs),
            _client.BuildConfig(parseResult),
            output,
            error).RunAsync(cancellationToken);
}
