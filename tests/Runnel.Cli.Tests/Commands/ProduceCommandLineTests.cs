using System.CommandLine;
using Runnel.Cli.Commands;
using Runnel.Cli.Kafka;
using Runnel.Cli.Records;

namespace Runnel.Cli.Tests.Commands;

public class ProduceCommandLineTests
{
    private static ProduceSettings Bind(params string[] args)
    {
        (ProduceCommand command, ParseResult result) = CommandLine.ParseValid<ProduceCommand>(["produce", .. args]);
        return command.Bind(result);
    }

    [Fact]
    public void Defaults_to_the_local_broker_and_any_partition()
    {
        ProduceSettings settings = Bind("--topic", "t");
        Assert.Equal("t", settings.Topic);
        Assert.Null(settings.Partition);
        Assert.Equal(KafkaClientOptions.DefaultBootstrapServers, settings.Config["bootstrap.servers"]);
        Assert.Equal(new LineReaderOptions(), settings.ReaderOptions);
    }

    [Fact]
    public void Properties_configure_line_parsing()
    {
        ProduceSettings settings = Bind("--topic", "t", "--property", "parse.key=true", "key.separator=:", "--property", "parse.headers=true");
        Assert.True(settings.ReaderOptions.ParseKey);
        Assert.Equal(":", settings.ReaderOptions.KeySeparator);
        Assert.True(settings.ReaderOptions.ParseHeaders);
    }

    [Fact]
    public void Partition_compression_and_acks_become_client_settings()
    {
        ProduceSettings settings = Bind("--topic", "t", "--partition", "2", "--compression-type", "zstd", "--acks", "all");
        Assert.Equal(2, settings.Partition);
        Assert.Equal("zstd", settings.Config["compression.type"]);
        Assert.Equal("all", settings.Config["acks"]);
    }

    [Fact]
    public void Kafka_option_names_are_aliases()
    {
        ProduceSettings settings = Bind("--topic", "t", "--compression-codec", "lz4", "--request-required-acks", "1", "--producer-property", "linger.ms=50");
        Assert.Equal("lz4", settings.Config["compression.type"]);
        Assert.Equal("1", settings.Config["acks"]);
        Assert.Equal("50", settings.Config["linger.ms"]);
    }

    [Fact]
    public void Explicit_bootstrap_server_overrides_X_which_overrides_the_default()
    {
        Assert.Equal("x:1", Bind("--topic", "t", "-X", "bootstrap.servers=x:1").Config["bootstrap.servers"]);
        Assert.Equal("b:2", Bind("--topic", "t", "-X", "bootstrap.servers=x:1", "--bootstrap-server", "b:2").Config["bootstrap.servers"]);
    }

    [Fact]
    public void X_passes_librdkafka_properties_through()
    {
        ProduceSettings settings = Bind("--topic", "t", "-X", "linger.ms=5", "batch.size=65536", "-X", "enable.idempotence=true");
        Assert.Equal("5", settings.Config["linger.ms"]);
        Assert.Equal("65536", settings.Config["batch.size"]);
        Assert.Equal("true", settings.Config["enable.idempotence"]);
    }

    [Theory]
    [InlineData("--compression-type", "brotli")]
    [InlineData("--acks", "2")]
    [InlineData("--partition", "-1")]
    [InlineData("-X", "nonsense")]
    [InlineData("--property", "nonsense")]
    public void Invalid_values_are_parse_errors(string option, string value)
    {
        Assert.NotEmpty(CommandLine.Parse("produce", "--topic", "t", option, value).Errors);
    }

    [Fact]
    public void Topic_is_required()
    {
        Assert.Contains("--topic", CommandLine.Errors("produce"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_becomes_a_message_with_utf8_key_value_and_headers()
    {
        var message = ProduceCommand.ToMessage(new LineRecord("k", "välue", [new("h", "1"), new("n", null)]));
        Assert.Equal("k"u8.ToArray(), message.Key);
        Assert.Equal("välue"u8.ToArray(), message.Value);
        Assert.Equal(2, message.Headers.Count);
        Assert.Equal("1"u8.ToArray(), message.Headers[0].GetValueBytes());
        Assert.Null(message.Headers[1].GetValueBytes());
    }

    [Fact]
    public void A_line_without_headers_has_no_header_collection()
    {
        var message = ProduceCommand.ToMessage(new LineRecord(null, null, []));
        Assert.Null(message.Key);
        Assert.Null(message.Value);
        Assert.Null(message.Headers);
    }
}
