using System.Globalization;
using Runnel.Compat.Infrastructure;

namespace Runnel.Compat.ClientWrappers;

/// <summary>KafkaJS 2.2.4 (npm, clients/node) through clients/node/kafkajs_client.js, run with node.</summary>
public sealed class KafkaJsClient(string bootstrapServers)
{
    private static readonly Lazy<string?> Node = new(() => ClientTools.FindOnPath("node"));

    private static readonly Dictionary<string, string> NodeEnvironment = new() { ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1" };

    /// <summary>producer.send: records 0..count-1 to one partition in one call, with GZIP or no compression, optionally as an idempotent producer.</summary>
    public Task<ProcessResult> ProduceAsync(string topic, int partition, int count, string compression, bool idempotent = false) =>
        idempotent
            ? RunAsync("produce", topic, "--partition", Number(partition), "--count", Number(count), "--compression", compression, "--idempotent")
            : RunAsync("produce", topic, "--partition", Number(partition), "--count", Number(count), "--compression", compression);

    /// <summary>
    /// A transactional producer: three transactions of <paramref name="count"/> records (commit,
    /// abort, commit), then one that sends offset <paramref name="count"/> for <paramref name="group"/>
    /// (sendOffsets) and commits.
    /// </summary>
    public Task<ProcessResult> TransactionsAsync(string topic, int partition, int count, string group) =>
        RunAsync("transactions", topic, "--partition", Number(partition), "--count", Number(count), "--group", group);

    /// <summary>
    /// A consumer in group <paramref name="group"/>: subscribe, read <paramref name="count"/> records,
    /// commit, leave. It is read_committed (KafkaJS's default) unless <paramref name="readUncommitted"/>;
    /// <paramref name="maxBytes"/> caps each fetch and each partition in it. Every batch it processes
    /// is reported as a "batch" line (partition, firstOffset, lastOffset).
    /// </summary>
    public Task<ProcessResult> GroupConsumeAsync(string topic, string group, int count, int? maxBytes = null, bool readUncommitted = false)
    {
        List<string> arguments = ["--group", group, "--count", Number(count)];
        if (maxBytes is { } bytes)
        {
            arguments.AddRange(["--max-bytes", Number(bytes)]);
        }

        if (readUncommitted)
        {
            arguments.Add("--read-uncommitted");
        }

        return RunAsync("group-consume", topic, [.. arguments]);
    }

    /// <summary>
    /// Starts a consumer.run member of <paramref name="group"/> (protocol "RoundRobinAssigner") that
    /// waits for an assignment of <paramref name="expectPartitions"/> partitions, reads them up to
    /// their high watermarks, commits, prints "done", and stays in the group until
    /// <paramref name="lingerFile"/> exists, returning while it runs.
    /// </summary>
    public RunningProcess StartGroupMember(string topic, string group, int expectPartitions, string lingerFile)
    {
        var process = ExternalProcess.Start(Node.Value ?? throw ClientTools.Missing("node (Node.js)"),
            Arguments("group-member", topic, ["--group", group, "--expect-partitions", Number(expectPartitions), "--linger-file", lingerFile, "--timeout", "45"]),
            ClientTools.ProcessTimeout, ClientTools.NodeDirectory, NodeEnvironment);
        process.CloseStandardInput();
        return process;
    }

    /// <summary>admin.createTopics (waitForLeaders).</summary>
    public Task<ProcessResult> CreateTopicAsync(string topic, int partitions) =>
        RunAsync("create-topic", topic, "--partitions", Number(partitions));

    /// <summary>admin.listTopics.</summary>
    public Task<ProcessResult> ListTopicsAsync(string topic) => RunAsync("list-topics", topic);

    /// <summary>admin.fetchTopicMetadata and admin.describeCluster.</summary>
    public Task<ProcessResult> FetchTopicMetadataAsync(string topic) => RunAsync("topic-metadata", topic);

    /// <summary>admin.fetchTopicOffsets (ListOffsets latest and earliest).</summary>
    public Task<ProcessResult> FetchTopicOffsetsAsync(string topic) => RunAsync("topic-offsets", topic);

    private Task<ProcessResult> RunAsync(string command, string topic, params string[] arguments) =>
        ExternalProcess.RunAsync(Node.Value ?? throw ClientTools.Missing("node (Node.js)"), Arguments(command, topic, arguments), ClientTools.ProcessTimeout,
            workingDirectory: ClientTools.NodeDirectory, environment: NodeEnvironment);

    private List<string> Arguments(string command, string topic, IEnumerable<string> arguments)
    {
        if (!File.Exists(Path.Combine(ClientTools.NodeDirectory, "node_modules", "kafkajs", "package.json")))
        {
            throw ClientTools.Missing($"KafkaJS (npm ci in {ClientTools.NodeDirectory})");
        }

        List<string> all = [Path.Combine(ClientTools.NodeDirectory, "kafkajs_client.js"), command, "--bootstrap", bootstrapServers, "--topic", topic, .. arguments];
        if (ClientTools.Debug)
        {
            all.Add("--debug");
        }

        return all;
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
