using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public sealed class BrokerConfigLoadTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("runnel-config-tests-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string WriteProperties(string text)
    {
        string path = Path.Combine(_dir.FullName, "server.properties");
        File.WriteAllText(path, text);
        return path;
    }

    private static ConfigException LoadFails(BrokerConfigSources sources) =>
        Assert.Throws<ConfigException>(() => BrokerConfig.Load(sources));

    [Fact]
    public void Defaults_give_a_local_first_broker()
    {
        BrokerConfig config = BrokerConfig.Default;
        Assert.Equal(1, config.NodeId);
        ListenerEndpoint listener = Assert.Single(config.Listeners);
        Assert.Equal(new ListenerEndpoint("PLAINTEXT", "127.0.0.1", 9092, SecurityProtocol.Plaintext), listener);
        Assert.Equal(config.Listeners, config.AdvertisedListeners);
        Assert.Equal(["./data"], config.LogDirs);
        Assert.Null(config.ClusterId);
        Assert.False(config.LogFlushOnAcksAll);
        Assert.Equal(104857600, config.SocketRequestMaxBytes);
        Assert.Empty(config.ExplicitValues);
    }

    [Fact]
    public void Properties_file_values_are_static_with_file_and_line_origin()
    {
        string path = WriteProperties("# broker\nnode.id=3\nlog.dirs=/a, /b\n");
        BrokerConfig config = BrokerConfig.Load(new BrokerConfigSources { PropertiesFile = path });
        Assert.Equal(3, config.NodeId);
        Assert.Equal(["/a", "/b"], config.LogDirs);
        ConfigValue value = config.Get("log.dirs");
        Assert.Equal(ConfigSource.StaticBrokerConfig, value.Source);
        Assert.Equal("server.properties:3", value.Origin);
        Assert.Equal("/a, /b", value.RawValue);
    }

    [Fact]
    public void Missing_properties_file_is_a_config_error()
    {
        ConfigException e = LoadFails(new BrokerConfigSources { PropertiesFile = "/nonexistent/dir/server.properties" });
        Assert.Contains("Cannot read the properties file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variables_map_by_upper_casing_and_underscores()
    {
        Assert.Equal("RUNNEL_LOG_DIRS", BrokerConfigSources.EnvironmentVariableName("log.dirs"));
        Assert.Equal("RUNNEL_RUNNEL_LOG_FLUSH_ON_ACKS_ALL", BrokerConfigSources.EnvironmentVariableName("runnel.log.flush.on.acks.all"));
        Assert.Equal("log.retention.hours", BrokerConfigSources.KeyFromEnvironmentVariable("RUNNEL_LOG_RETENTION_HOURS"));

        BrokerConfig config = BrokerConfig.Load(new BrokerConfigSources
        {
            Environment = new Dictionary<string, string>
            {
                ["RUNNEL_LOG_DIRS"] = "/var/lib/runnel",
                ["RUNNEL_NUM_PARTITIONS"] = "6",
                ["PATH"] = "/usr/bin",
                ["runnel_lower"] = "ignored: the prefix is case-sensitive",
            },
        });
        Assert.Equal(["/var/lib/runnel"], config.LogDirs);
        Assert.Equal(6, config.NumPartitions);
        Assert.Equal("environment variable RUNNEL_NUM_PARTITIONS", config.Get("num.partitions").Origin);
    }

    [Fact]
    public void Unknown_RUNNEL_environment_variable_fails()
    {
        ConfigException e = LoadFails(new BrokerConfigSources { Environment = new Dictionary<string, string> { ["RUNNEL_LOGDIRS"] = "/x" } });
        ConfigError error = Assert.Single(e.Errors);
        Assert.Equal("logdirs", error.Name);
        Assert.Equal(ConfigErrorKind.UnknownName, error.Kind);
        Assert.Equal("environment variable RUNNEL_LOGDIRS", error.Origin);
    }

    [Fact]
    public void Later_sources_win_file_then_environment_then_override_arguments_then_options()
    {
        string path = WriteProperties("num.partitions=2\nlog.retention.hours=10\nmessage.max.bytes=100\nmax.connections=7\n");
        BrokerConfig config = BrokerConfig.Load(new BrokerConfigSources
        {
            PropertiesFile = path,
            Environment = new Dictionary<string, string>
            {
                ["RUNNEL_LOG_RETENTION_HOURS"] = "20",
                ["RUNNEL_MESSAGE_MAX_BYTES"] = "200",
                ["RUNNEL_MAX_CONNECTIONS"] = "8",
            },
            OverrideArguments = ["message.max.bytes=300", "max.connections=9"],
            Overrides = new Dictionary<string, string> { ["max.connections"] = "10" },
        });
        Assert.Equal(2, config.NumPartitions);
        Assert.Equal(20, config.GetInt("log.retention.hours"));
        Assert.Equal(300, config.MessageMaxBytes);
        Assert.Equal(10, config.MaxConnections);
        Assert.Equal("server.properties:1", config.Get("num.partitions").Origin);
        Assert.Equal("--override", config.Get("message.max.bytes").Origin);
        Assert.Equal("options", config.Get("max.connections").Origin);
        Assert.All(config.ExplicitValues, v => Assert.Equal(ConfigSource.StaticBrokerConfig, v.Source));
    }

    [Fact]
    public void A_later_valid_value_replaces_an_earlier_invalid_one()
    {
        BrokerConfig config = BrokerConfig.Load(new BrokerConfigSources
        {
            Environment = new Dictionary<string, string> { ["RUNNEL_NUM_PARTITIONS"] = "many" },
            OverrideArguments = ["num.partitions=4"],
        });
        Assert.Equal(4, config.NumPartitions);
    }

    [Fact]
    public void Override_value_may_contain_equals_signs()
    {
        BrokerConfig config = BrokerConfig.Load(new BrokerConfigSources { OverrideArguments = ["runnel.cluster.id=abc-DEF_123", "listeners=PLAINTEXT://0.0.0.0:9093", "advertised.listeners=PLAINTEXT://h:9093"] });
        Assert.Equal("abc-DEF_123", config.ClusterId);
        Assert.Equal(9093, config.Listeners[0].Port);
    }

    [Fact]
    public void Every_bad_key_is_reported_in_one_exception()
    {
        string path = WriteProperties("log.segment.bytes=1GB\nlog.retention.hourz=5\nnum.partitions=0\n");
        ConfigException e = LoadFails(new BrokerConfigSources
        {
            PropertiesFile = path,
            Environment = new Dictionary<string, string> { ["RUNNEL_AUTO_CREATE_TOPICS_ENABLE"] = "yes" },
            OverrideArguments = ["no-equals-sign", "compression.type=brotli"],
        });

        Assert.Equal(
            ["no-equals-sign", "log.segment.bytes", "log.retention.hourz", "num.partitions", "auto.create.topics.enable", "compression.type"],
            e.Errors.Select(x => x.Name).ToArray());
        Assert.Contains("6 problems", e.Message, StringComparison.Ordinal);
        Assert.Contains("log.segment.bytes: Invalid value 1GB for configuration log.segment.bytes: Not a number of type INT (from server.properties:1)", e.Message, StringComparison.Ordinal);
        Assert.Contains("log.retention.hourz: Unknown broker config name: log.retention.hourz (from server.properties:2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("Value must be at least 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("(from environment variable RUNNEL_AUTO_CREATE_TOPICS_ENABLE)", e.Message, StringComparison.Ordinal);
        Assert.Contains("String must be one of", e.Message, StringComparison.Ordinal);
        Assert.Contains("An override must have the form key=value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cross_key_problems_are_reported_with_value_problems()
    {
        ConfigException e = LoadFails(new BrokerConfigSources
        {
            Overrides = new Dictionary<string, string>
            {
                ["node.id"] = "1",
                ["broker.id"] = "2",
                ["listeners"] = "PLAINTEXT://0.0.0.0:9092",
                ["num.io.threads"] = "0",
            },
        });
        Assert.Contains(e.Errors, x => x.Name == "node.id" && x.Message.Contains("same value", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Name == "advertised.listeners" && x.Message.Contains("0.0.0.0", StringComparison.Ordinal));
        Assert.Contains(e.Errors, x => x.Name == "num.io.threads");
    }

    [Fact]
    public void Broker_id_alone_sets_the_node_id()
    {
        BrokerConfig config = BrokerConfig.FromProperties(new Dictionary<string, string> { ["broker.id"] = "7" });
        Assert.Equal(7, config.NodeId);
        Assert.Equal(7, config.GetValue("node.id"));
        Assert.Equal(ConfigSource.StaticBrokerConfig, config.Get("node.id").Source);
    }

    [Fact]
    public void Node_id_supplies_broker_id()
    {
        BrokerConfig config = BrokerConfig.FromProperties(new Dictionary<string, string> { ["node.id"] = "5" });
        Assert.Equal(5, config.GetValue("broker.id"));
    }

    [Fact]
    public void Listeners_parse_into_name_host_port_with_protocol()
    {
        BrokerConfig config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "plaintext://:0, INTERNAL://[::1]:9094",
            ["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
            ["advertised.listeners"] = "PLAINTEXT://example.com:19092",
        });
        Assert.Equal(
            [new ListenerEndpoint("PLAINTEXT", "", 0, SecurityProtocol.Plaintext), new ListenerEndpoint("INTERNAL", "::1", 9094, SecurityProtocol.Plaintext)],
            config.Listeners);
        Assert.Equal("INTERNAL://[::1]:9094", config.Listeners[1].ToString());
        Assert.Equal([new ListenerEndpoint("PLAINTEXT", "example.com", 19092, SecurityProtocol.Plaintext)], config.AdvertisedListeners);
    }

    [Theory]
    [InlineData("PLAINTEXT://localhost", "Unable to parse")]
    [InlineData("PLAINTEXT://localhost:70000", "Invalid port")]
    [InlineData("PLAINTEXT://a:9092,PLAINTEXT://b:9093", "different name")]
    [InlineData("A://a:9092,B://b:9092", "different port")]
    [InlineData("SSL://localhost:9093", "does not support")]
    [InlineData("CLIENT://localhost:9093", "No security protocol defined for listener CLIENT")]
    public void Bad_listeners_fail(string listeners, string expected)
    {
        ConfigException e = LoadFails(new BrokerConfigSources
        {
            Overrides = new Dictionary<string, string>
            {
                ["listeners"] = listeners,
                ["listener.security.protocol.map"] = "PLAINTEXT:PLAINTEXT,SSL:SSL,A:PLAINTEXT,B:PLAINTEXT",
            },
        });
        Assert.Contains(e.Errors, x => x.Name == "listeners" && x.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Advertised_listener_names_must_be_listener_names()
    {
        ConfigException e = LoadFails(new BrokerConfigSources
        {
            Overrides = new Dictionary<string, string> { ["advertised.listeners"] = "OTHER://h:1" },
        });
        Assert.Contains(e.Errors, x => x.Name == "advertised.listeners" && x.Message.Contains("subset", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_port_on_ipv4_and_ipv6_is_allowed()
    {
        BrokerConfig config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "A://127.0.0.1:9092,B://[::1]:9092",
            ["listener.security.protocol.map"] = "A:PLAINTEXT,B:PLAINTEXT",
        });
        Assert.Equal(2, config.Listeners.Count);
    }

    [Fact]
    public void Log_dirs_falls_back_to_log_dir()
    {
        Assert.Equal(["/x"], BrokerConfig.FromProperties(new Dictionary<string, string> { ["log.dir"] = "/x" }).LogDirs);
        Assert.Equal(["/y"], BrokerConfig.FromProperties(new Dictionary<string, string> { ["log.dir"] = "/x", ["log.dirs"] = "/y" }).LogDirs);
    }

    [Fact]
    public void Empty_log_dirs_fail()
    {
        ConfigException e = LoadFails(new BrokerConfigSources { Overrides = new Dictionary<string, string> { ["log.dirs"] = " " } });
        Assert.Contains(e.Errors, x => x.Name == "log.dirs");
    }

    [Fact]
    public void Sensitive_values_never_appear_in_ToString()
    {
        var definition = new ConfigDefinition("x.password", ConfigType.Password, null, "Doc.");
        Assert.True(definition.TryParse("hunter2", out object? parsed, out _));
        var value = new ConfigValue(definition, "hunter2", parsed, ConfigSource.StaticBrokerConfig, "--override");
        Assert.Equal("x.password=[hidden] (--override)", value.ToString());
    }

    [Fact]
    public void Typed_getter_of_the_wrong_type_throws()
    {
        Assert.Throws<InvalidOperationException>(() => BrokerConfig.Default.GetLong("num.partitions"));
        Assert.Throws<InvalidOperationException>(() => BrokerConfig.Default.GetLong("log.retention.ms"));
    }
}
