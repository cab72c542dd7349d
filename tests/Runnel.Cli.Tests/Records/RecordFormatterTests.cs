using System.Text;
using Confluent.Kafka;
using Runnel.Cli.Kafka;
using Runnel.Cli.Records;

namespace Runnel.Cli.Tests.Records;

public class RecordFormatterTests
{
    private static RecordFormatter Formatter(params string[] properties) =>
        new(RecordFormatterOptions.FromProperties(KeyValueArguments.Parse(properties)));

    private static ConsumeResult<byte[]?, byte[]?> Result(
        string? key,
        string? value,
        Headers? headers = null,
        Timestamp timestamp = default,
        int partition = 3,
        long offset = 42) => new()
        {
            Topic = "t",
            Partition = new Partition(partition),
            Offset = new Offset(offset),
            Message = new Message<byte[]?, byte[]?>
            {
                Key = key is null ? null : Encoding.UTF8.GetBytes(key),
                Value = value is null ? null : Encoding.UTF8.GetBytes(value),
                Headers = headers,
                Timestamp = timestamp,
            },
        };

    [Fact]
    public void By_default_prints_the_value_and_a_newline()
    {
        Assert.Equal("hello\n", Formatter().Format(Result("k", "hello")));
    }

    [Fact]
    public void Prints_enabled_columns_in_kafka_order_separated_by_the_key_separator()
    {
        Headers headers = new() { { "h1", "v1"u8.ToArray() }, { "h2", "v2"u8.ToArray() } };
        RecordFormatter formatter = Formatter(
            "print.timestamp=true", "print.partition=true", "print.offset=true", "print.headers=true", "print.key=true");

        string line = formatter.Format(Result("k", "v", headers, new Timestamp(1_700_000_000_123, TimestampType.CreateTime)));

        Assert.Equal("CreateTime:1700000000123\tPartition:3\tOffset:42\th1:v1,h2:v2\tk\tv\n", line);
    }

    [Fact]
    public void Log_append_time_and_missing_timestamps_print_as_kafka_does()
    {
        RecordFormatter formatter = Formatter("print.timestamp=true");
        Assert.Equal("LogAppendTime:5\tv\n", formatter.Format(Result(null, "v", timestamp: new Timestamp(5, TimestampType.LogAppendTime))));
        Assert.Equal("NO_TIMESTAMP\tv\n", formatter.Format(Result(null, "v", timestamp: new Timestamp(0, TimestampType.NotAvailable))));
    }

    [Fact]
    public void No_headers_prints_NO_HEADERS()
    {
        Assert.Equal("NO_HEADERS\tv\n", Formatter("print.headers=true").Format(Result(null, "v")));
    }

    [Fact]
    public void Null_key_value_and_header_value_print_the_null_literal()
    {
        Headers headers = new() { { "h", null! } };
        RecordFormatter formatter = Formatter("print.key=true", "print.headers=true", "null.literal=<nil>");
        Assert.Equal("h:<nil>\t<nil>\t<nil>\n", formatter.Format(Result(null, null, headers)));
    }

    [Fact]
    public void Without_the_value_the_last_column_ends_the_line()
    {
        Assert.Equal("k\n", Formatter("print.key=true", "print.value=false").Format(Result("k", "v")));
    }

    [Fact]
    public void Separators_are_configurable_and_accept_escapes()
    {
        RecordFormatter formatter = Formatter("print.key=true", "key.separator= => ", @"line.separator=\r\n");
        Assert.Equal("k => v\r\n", formatter.Format(Result("k", "v")));
    }

    [Fact]
    public void Unknown_properties_are_rejected()
    {
        Assert.Throws<ToolException>(() => RecordFormatterOptions.FromProperties(KeyValueArguments.Parse(["print.kye=true"])));
    }
}
