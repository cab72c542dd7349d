using Runnel.Broker;

namespace Runnel.Cli.Tests.EndToEnd;

/// <summary>
/// One in-process broker (127.0.0.1, ephemeral port, temp dir) shared by the end-to-end tests of the
/// CLI, which run its commands in-process through <see cref="Program.Parse"/> with captured writers.
/// Tests use their own topics (<see cref="NewTopic"/>).
/// </summary>
public sealed class CliBrokerFixture : IAsyncLifetime
{
    /// <summary>Deadline for one command; commands that hang fail the test instead of blocking the run.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private RunnelBroker? _broker;

    public RunnelBroker Broker => _broker ?? throw new InvalidOperationException("Broker not started.");

    /// <summary>
    /// The broker serves Prometheus metrics on a free port, and its log cleaner wakes every 50 ms
    /// with a 1 MiB key map, so compaction that a test waits for happens within moments.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Config = new Dictionary<string, string>
    {
        ["runnel.metrics.listener"] = "http://127.0.0.1:0",
        ["log.cleaner.backoff.ms"] = "50",
        ["log.cleaner.dedupe.buffer.size"] = "1048576",
    };

    public async ValueTask InitializeAsync() => _broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { Config = Config });

    /// <summary>The broker's <c>/metrics</c> URL.</summary>
    public Uri MetricsEndpoint => Broker.Host.MetricsEndpoint ?? throw new InvalidOperationException("The broker serves no metrics.");

    public async ValueTask DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    /// <summary>A topic name no other test uses (no '.' or '_', so topics create prints no metric-name warning).</summary>
    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Runs a command that talks to the broker (<c>--bootstrap-server</c> is appended).</summary>
    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs a command with <paramref name="stdin"/> as the input of <c>runnel produce</c>.</summary>
    public Task<CliResult> RunWithInputAsync(string? stdin, params string[] args) =>
        CliRunner.RunAsync(stdin, [.. args, "--bootstrap-server", Broker.BootstrapServers]);

    /// <summary>Creates a topic through the CLI and checks it worked.</summary>
    public async Task<string> CreateTopicAsync(string prefix, int partitions = 1, params string[] configs)
    {
        string topic = NewTopic(prefix);
        List<string> args = ["topics", "create", "--topic", topic, "--partitions", partitions.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (string config in configs)
        {
            args.Add("--config");
            args.Add(config);
        }

        CliResult result = await RunAsync([.. args]);
        result.AssertSuccess();
        return topic;
    }
}
