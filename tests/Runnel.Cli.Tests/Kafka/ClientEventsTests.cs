using Confluent.Kafka;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Tests.Kafka;

public class ClientEventsTests
{
    [Fact]
    public void Repeated_errors_and_log_lines_print_once()
    {
        StringWriter error = new();
        ClientEvents events = new(error);

        for (int i = 0; i < 3; i++)
        {
            events.OnError(null!, new Error(ErrorCode.Local_AllBrokersDown, "1/1 brokers are down"));
            events.OnLog(null!, new LogMessage("rdkafka", SyslogLevel.Error, "FAIL", "Connect failed"));
        }

        Assert.Equal(
            "%ERROR: Local_AllBrokersDown: 1/1 brokers are down\n%3|FAIL| Connect failed\n",
            error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Informational_log_lines_are_not_printed()
    {
        StringWriter error = new();
        new ClientEvents(error).OnLog(null!, new LogMessage("rdkafka", SyslogLevel.Info, "CONF", "something"));
        Assert.Equal(string.Empty, error.ToString());
    }
}
