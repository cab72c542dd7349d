using System.Globalization;
using Runnel.Compat.Infrastructure;

namespace Runnel.Compat.ClientWrappers;

/// <summary>KafkaJS 2.2.4 (npm, clients/node) through clients/node/kafkajs_client.js, run with node.</summary>
public sealed class KafkaJsClient(string bootstrapServers)
{
    private static readonly Lazy<string?> Node = new(() => ClientTools.FindOnPath("node"));

    /// <summary>producer.send: records 0..count-1 to one partition in one call, with GZIP or no compression.</summary>
    public Task<ProcessResult> ProduceAsync(string topic, int partition, int count, string compression) =>
        RunAsync("produce", topic, "--partition", Number(partition), "--count", Number(count), "--compression", compression);

    /// <summary>A consumer in group <paramref name="group"/>: subscribe, read <paramref name="count"/> records, commit, leave.</summary>
    public Task<ProcessResult> GroupConsumeAsync(string topic, string group, int count) =>
        RunAsync("group-consume", topic, "--group", group, "--count", Number(count));

    /// <summary>admin.createTopics (waitForLeaders).</summary>
    public Task<ProcessResult> CreateTopicAsync(string topic, int partitions) =>
        RunAsync("create-topic", topic, "--partitions", Number(partitions));

    /// <summary>admin.listTopics.</summary>
    public Task<ProcessResult> ListTopicsAsync(string topic) => RunAsync("list-topics", topic);

    /// <summary>admin.fetchTopicMetadata and admin.describeCluster.</summary>
    public Task<ProcessResult> FetchTopicMetadataAsync(string topic) => RunAsync("topic-metadata", topic);

    /// <summary>admin.fetchTopicOffsets (ListOffsets latest and earliest).</summary>
    public Task<ProcessResult> FetchTopicOffsetsAsync(string topic) => RunAsync("topic-offsets", topic);

    private Task<ProcessResult> RunAsync(string command, string topic, params string[] arguments)
    {
        var node = Node.Value ?? throw ClientTools.Missing("node (Node.js)");
        if (!File.Exists(Path.Combine(ClientTools.NodeDirectory, "node_modules", "kafkajs", "package.json")))
        {
            throw ClientTools.Missing($"KafkaJS (npm ci in {ClientTools.NodeDirectory})");
        }

        List<string> all = [Path.Combine(ClientTools.NodeDirectory, "kafkajs_client.js"), command, "--bootstrap", bootstrapServers, "--topic", topic, .. arguments];
        if (ClientTools.Debug)
        {
            all.Add("--debug");
        }

        return ExternalProcess.RunAsync(node, all, ClientTools.ProcessTimeout, workingDirectory: ClientTools.NodeDirectory,
            environment: new Dictionary<string, string> { ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1" });
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
