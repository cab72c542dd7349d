using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class ClientStatisticsTests
{
    [Fact]
    public void Flattens_top_level_counters_brokers_and_topics_but_not_bootstrap_entries()
    {
        const string json = """
            {"name":"rdkafka#producer-1","client_id":"rdkafka","ts":1,"time":2,"age":3,"txmsgs":10,"txmsg_bytes":1000,
             "brokers":{
               "127.0.0.1:9092/bootstrap":{"nodeid":-1,"tx":1},
               "127.0.0.1:9092/1":{"nodeid":1,"tx":5,"rtt":{"min":1,"max":9,"avg":4,"p99":8,"cnt":3},"toppars":{"t-0":{"partition":0}}}},
             "topics":{"t":{"age":1,"batchsize":{"avg":100,"p99":200,"max":300},"partitions":{"0":{"msgq_cnt":1}}}}}
            """;

        SortedDictionary<string, string> metrics = ClientStatistics.Flatten(json);

        Assert.Equal(
            [
                "rdkafka:broker-1:rtt-avg", "rdkafka:broker-1:rtt-max", "rdkafka:broker-1:rtt-p99", "rdkafka:broker-1:tx",
                "rdkafka:topic-t:batchsize-avg", "rdkafka:topic-t:batchsize-max", "rdkafka:topic-t:batchsize-p99",
                "rdkafka:txmsg_bytes", "rdkafka:txmsgs",
            ],
            metrics.Keys);
        Assert.Equal("5", metrics["rdkafka:broker-1:tx"]);
        Assert.Equal("8", metrics["rdkafka:broker-1:rtt-p99"]);
    }
}
