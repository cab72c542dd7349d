using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Runnel.Broker;
using Runnel.Broker.Configuration;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel broker [server.properties] [--override key=value ...] [--listen HOST:PORT] [--data-dir DIR]</c>:
/// runs a broker in the foreground, like <c>kafka-server-start.sh</c>. With no arguments it serves
/// 127.0.0.1:9092 with its log under ./data. Configuration precedence, lowest first: defaults, the
/// properties file, <c>RUNNEL_*</c> environment variables, <c>--override</c>, then the shorthands.
/// SIGINT and SIGTERM stop it cleanly (logs flushed, clean-shutdown marker written).
/// </summary>
internal sealed class BrokerCommand : Command
{
    public BrokerCommand()
        : base("broker", "Run a Runnel broker in the foreground.")
    {
        Arguments.Add(PropertiesFile);
        Options.Add(Override);
        Options.Add(Listen);
        Options.Add(DataDir);
        Options.Add(LogLevelOption);
        SetAction(RunAsync);
    }

    public Argument<FileInfo?> PropertiesFile { get; } = new("server.properties")
    {
        Description = "A Kafka-style properties file.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string[]> Override { get; } = new("--override")
    {
        Description = "Set a broker config, key=value (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Listen { get; } = new("--listen") { Description = "Shorthand for listeners=PLAINTEXT://HOST:PORT." };

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Shorthand for log.dirs=DIR." };

    public Option<LogLevel> LogLevelOption { get; } = new("--log-level")
    {
        Description = "Minimum log level (Trace, Debug, Information, Warning, Error).",
        DefaultValueFactory = _ => LogLevel.Information,
    };

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        // Before any socket exists: the runtime reads the setting once.
        InlineSocketCompletions.EnableUnlessSet();
        var overrides = new List<string>(parse.GetValue(Override) ?? []);
        if (parse.GetValue(Listen) is { } listen)
        {
            overrides.Add("listeners=PLAINTEXT://" + listen);
        }

        if (parse.GetValue(DataDir) is { } dataDir)
        {
            overrides.Add("log.dirs=" + dataDir);
        }

        BrokerConfig config;
        try
        {
            config = BrokerConfig.Load(new BrokerConfigSources
            {
                PropertiesFile = parse.GetValue(PropertiesFile)?.FullName,
                Environment = BrokerConfigSources.ReadProcessEnvironment(),
                OverrideArguments = overrides,
            });
        }
        catch (ConfigException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync(e.Message);
            return 2;
        }

        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(parse.GetValue(LogLevelOption))
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
                o.UseUtcTimestamp = true;
            }));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // A repeated SIGTERM racing the end of the shutdown: the broker is already stopped.
            }
        });

        await using var host = await BrokerHost.StartAsync(config, loggers, cancellationToken: stop.Token);
        foreach (var listener in host.Listeners)
        {
            // A plain line on stdout that scripts and tests can wait for (port 0 resolves here).
            await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"runnel broker started: {listener.Name} {listener.BoundEndPoint} advertised {listener.AdvertisedHost}:{listener.AdvertisedPort}"));
        }

        if (host.MetricsEndpoint is { } metrics)
        {
            // Likewise for runnel.metrics.listener, whose port 0 resolves here.
            await parse.InvocationConfiguration.Output.WriteLineAsync($"runnel broker metrics: {metrics}");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGINT (through System.CommandLine's token) or SIGTERM: stop cleanly below.
        }

        await host.StopAsync();
        return 0;
    }
}
