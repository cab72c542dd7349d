using System.CommandLine;

namespace Runnel.Cli.Kafka;

/// <summary>
/// The connection options every Kafka tool shares: <c>--bootstrap-server</c>, a properties file
/// (<c>--command-config</c>, or the tool's Kafka name such as <c>--producer.config</c>) and
/// <c>-X key=value</c> librdkafka properties (as kcat has). One instance per command: a
/// System.CommandLine option belongs to one parent.
/// </summary>
/// <remarks>
/// Precedence, lowest first: the default bootstrap server, the properties file, <c>-X</c>, an explicit
/// <c>--bootstrap-server</c>. So <c>-X bootstrap.servers=...</c> or a file can point a tool elsewhere.
/// </remarks>
internal sealed class KafkaClientOptions
{
    public const string DefaultBootstrapServers = "127.0.0.1:9092";

    public KafkaClientOptions(string[] configFileAliases, string[] propertyAliases)
    {
        BootstrapServer = new Option<string>("--bootstrap-server", "-b")
        {
            Description = $"The Kafka server(s) to connect to, host:port[,host:port...] (default {DefaultBootstrapServers}).",
            HelpName = "host:port",
        };
        ConfigFile = new Option<string>("--command-config", configFileAliases)
        {
            Description = "A properties file of client settings (librdkafka property names).",
            HelpName = "file",
        };
        Properties = new Option<string[]>("-X", propertyAliases)
        {
            Description = "A librdkafka client property key=value; repeatable.",
            HelpName = "key=value",
            AllowMultipleArgumentsPerToken = true,
        };
        Properties.Validators.Add(KeyValueArguments.Validate);
    }

    public Option<string> BootstrapServer { get; }

    public Option<string> ConfigFile { get; }

    public Option<string[]> Properties { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(BootstrapServer);
        command.Options.Add(ConfigFile);
        command.Options.Add(Properties);
    }

    /// <summary>The librdkafka properties these options describe (see the precedence above).</summary>
    public Dictionary<string, string> BuildConfig(ParseResult parseResult)
    {
        Dictionary<string, string> config = new(StringComparer.Ordinal)
        {
            ["bootstrap.servers"] = DefaultBootstrapServers,
        };

        string? file = parseResult.GetValue(ConfigFile);
        if (file is not null)
        {
            foreach (KeyValuePair<string, string> entry in JavaProperties.Load(file))
            {
                config[entry.Key] = entry.Value;
            }
        }

        KeyValueArguments.ParseInto(parseResult.GetValue(Properties), config);

        string? bootstrap = parseResult.GetValue(BootstrapServer);
        if (bootstrap is not null)
        {
            config["bootstrap.servers"] = bootstrap;
        }

        return config;
    }
}
