using System.Globalization;
using Runnel.Compat.Infrastructure;

namespace Runnel.Compat.ClientWrappers;

/// <summary>
/// Runs one of the clients/python scripts with Debian's /usr/bin/python3, after checking once that
/// the script's Kafka module imports there (a missing module fails the test with the install hint).
/// </summary>
public abstract class PythonScriptClient(string bootstrapServers, string script, string module, string package)
{
    private static readonly Dictionary<string, Lazy<Task<ProcessResult>>> ImportChecks = [];

    /// <summary>Debian's packages only: no user site-packages shadowing them, no .pyc files in the source tree.</summary>
    private static readonly Dictionary<string, string> PythonEnvironment = new()
    {
        ["PYTHONNOUSERSITE"] = "1",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
    };

    /// <summary>
    /// Starts the script's group-member scenario (a consumer in <paramref name="group"/> that waits
    /// for an assignment of <paramref name="expectPartitions"/> partitions, reads them up to their
    /// high watermarks, commits, prints "done", and stays in the group until
    /// <paramref name="lingerFile"/> exists), returning while it runs.
    /// </summary>
    public async Task<RunningProcess> StartGroupMemberAsync(string topic, string group, int expectPartitions, string lingerFile, string? assignor = null)
    {
        List<string> arguments = ["--group", group, "--expect-partitions", Number(expectPartitions), "--linger-file", lingerFile, "--timeout", "45"];
        if (assignor is not null)
        {
            arguments.AddRange(["--assignor", assignor]);
        }

        await EnsureImportableAsync();
        var process = ExternalProcess.Start(ClientTools.DebianPython, Arguments("group-member", topic, arguments), ClientTools.ProcessTimeout, environment: PythonEnvironment);
        process.CloseStandardInput();
        return process;
    }

    /// <summary>Starts a script scenario and returns while it runs (the test may kill it by disposing it).</summary>
    protected async Task<RunningProcess> StartAsync(string command, string topic, params string[] arguments)
    {
        await EnsureImportableAsync();
        var process = ExternalProcess.Start(ClientTools.DebianPython, Arguments(command, topic, arguments), ClientTools.ProcessTimeout, environment: PythonEnvironment);
        process.CloseStandardInput();
        return process;
    }

    protected async Task<ProcessResult> RunAsync(string command, string topic, params string[] arguments)
    {
        await EnsureImportableAsync();
        return await ExternalProcess.RunAsync(ClientTools.DebianPython, Arguments(command, topic, arguments), ClientTools.ProcessTimeout, environment: PythonEnvironment);
    }

    private List<string> Arguments(string command, string topic, IEnumerable<string> arguments)
    {
        List<string> all = ["-u", ClientTools.PythonScript(script), command, "--bootstrap", bootstrapServers, "--topic", topic, .. arguments];
        if (ClientTools.Debug)
        {
            all.Add("--debug");
        }

        return all;
    }

    protected static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task EnsureImportableAsync()
    {
        if (!File.Exists(ClientTools.DebianPython))
        {
            throw ClientTools.Missing($"{ClientTools.DebianPython} (Debian's python3)");
        }

        Lazy<Task<ProcessResult>> check;
        lock (ImportChecks)
        {
            if (!ImportChecks.TryGetValue(module, out check!))
            {
                check = new Lazy<Task<ProcessResult>>(() => ExternalProcess.RunAsync(ClientTools.DebianPython, ["-c", $"import {module}"], ClientTools.ProcessTimeout, environment: PythonEnvironment));
                ImportChecks[module] = check;
            }
        }

        var result = await check.Value;
        if (!result.Succeeded)
        {
            throw ClientTools.Missing($"Python module {module} (Debian package {package}) for {ClientTools.DebianPython}", result.ToString());
        }
    }
}

/// <summary>kafka-python 2.0.2 (Debian python3-kafka) through clients/python/kafka_python_client.py.</summary>
public sealed class KafkaPythonClient(string bootstrapServers)
    : PythonScriptClient(bootstrapServers, "kafka_python_client.py", "kafka", "python3-kafka")
{
    /// <summary>KafkaProducer: sends records 0..count-1 (keys, values, headers "index" and "client") to one partition.</summary>
    public Task<ProcessResult> ProduceAsync(string topic, int partition, int count, string compression) =>
        RunAsync("produce", topic, "--partition", Number(partition), "--count", Number(count), "--compression", compression);

    /// <summary>KafkaConsumer with group_id=None: assign + seek_to_beginning, prints <paramref name="count"/> records.</summary>
    public Task<ProcessResult> ConsumeAsync(string topic, int partition, int count) =>
        RunAsync("consume", topic, "--partition", Number(partition), "--count", Number(count));

    /// <summary>KafkaConsumer in group <paramref name="group"/>: subscribe, print <paramref name="count"/> records, commit after the last.</summary>
    public Task<ProcessResult> GroupConsumeAsync(string topic, string group, int count) =>
        RunAsync("consume", topic, "--group", group, "--count", Number(count));

    /// <summary>KafkaAdminClient.create_topics.</summary>
    public Task<ProcessResult> CreateTopicAsync(string topic, int partitions) =>
        RunAsync("create-topic", topic, "--partitions", Number(partitions));

    /// <summary>KafkaAdminClient.list_topics (the topic argument is only echoed).</summary>
    public Task<ProcessResult> ListTopicsAsync(string topic) => RunAsync("list-topics", topic);
}

/// <summary>confluent-kafka-python 1.7.0 (Debian python3-confluent-kafka, librdkafka 2.0.2) through clients/python/confluent_client.py.</summary>
public sealed class ConfluentPythonClient(string bootstrapServers)
    : PythonScriptClient(bootstrapServers, "confluent_client.py", "confluent_kafka", "python3-confluent-kafka")
{
    /// <summary>Producer with compression.type: records 0..count-1 to one partition.</summary>
    public Task<ProcessResult> ProduceAsync(string topic, int partition, int count, string compression, bool idempotent = false) =>
        idempotent
            ? RunAsync("produce", topic, "--partition", Number(partition), "--count", Number(count), "--compression", compression, "--idempotent")
            : RunAsync("produce", topic, "--partition", Number(partition), "--count", Number(count), "--compression", compression);

    /// <summary>Consumer with assign(OFFSET_BEGINNING) and enable.auto.commit=False: prints <paramref name="count"/> records.</summary>
    public Task<ProcessResult> ConsumeAsync(string topic, int partition, int count) =>
        RunAsync("consume", topic, "--partition", Number(partition), "--count", Number(count));

    /// <summary>
    /// A transactional Producer: three transactions of <paramref name="count"/> records (commit, abort,
    /// commit), then a read_committed Consumer of <paramref name="group"/> reads them and one more
    /// transaction commits its position with send_offsets_to_transaction.
    /// </summary>
    public Task<ProcessResult> TransactionsAsync(string topic, int partition, int count, string group) =>
        RunAsync("transactions", topic, "--partition", Number(partition), "--count", Number(count), "--group", group);

    /// <summary>
    /// Starts the exactly-once consume-transform-produce loop: <paramref name="input"/> (read_committed,
    /// group <paramref name="group"/>) to <paramref name="output"/>, one transaction per polled batch with
    /// its offsets, until every input partition is consumed to its end ("done").
    /// </summary>
    public Task<RunningProcess> StartTransformAsync(string input, int partitions, string output, string group, string transactionalId) =>
        StartAsync("transform", input, "--partitions", Number(partitions), "--output", output, "--group", group, "--transactional-id", transactionalId, "--timeout", "50");

    /// <summary>AdminClient.create_topics.</summary>
    public Task<ProcessResult> CreateTopicAsync(string topic, int partitions) =>
        RunAsync("create-topic", topic, "--partitions", Number(partitions));

    /// <summary>AdminClient.list_topics: brokers, controller and every topic with its partitions.</summary>
    public Task<ProcessResult> ListTopicsAsync(string topic) => RunAsync("list-topics", topic);
}
