using System.CommandLine;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Cli.Kafka;
using Runnel.Cli.Metrics;

namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel topics describe</c>: per topic its id, partition count, replication factor, cleanup
/// policy and the configs that are not defaults, then one line per partition with leader, replicas
/// and ISR, in kafka-topics.sh <c>--describe</c>'s layout (tab separated). Elr and LastKnownElr
/// (KIP-966) print N/A: the Admin API we use does not report them. CleanupPolicy is Runnel's
/// addition (kafka-topics.sh shows it only when it is not the default), and with
/// <c>--metrics-url</c> the partitions of a compacted topic also show the log cleaner's progress,
/// scraped from the broker's Prometheus endpoint (<c>runnel.metrics.listener</c>): the Kafka
/// protocol has no API that reports it.
/// </summary>
internal sealed class TopicsDescribeCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public TopicsDescribeCommand()
        : base("describe", "Describe topics: partitions, leaders, replicas, ISR and non-default configs.")
    {
        _client.AddTo(this);
        Options.Add(Topic);
        Options.Add(ExcludeInternal);
        Options.Add(MetricsUrl);
    }

    public Option<string[]> Topic { get; } = new("--topic")
    {
        Description = "The topic(s) to describe (default: all topics).",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> ExcludeInternal { get; } = new("--exclude-internal") { Description = "Leave out internal topics such as __consumer_offsets." };

    public Option<string> MetricsUrl { get; } = new("--metrics-url")
    {
        Description = "The broker's Prometheus endpoint (runnel.metrics.listener, e.g. http://127.0.0.1:9404): partitions of compacted topics then show the log cleaner's progress.",
        HelpName = "URL",
    };

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        List<string> names = ResolveNames(admin, parseResult.GetValue(Topic), parseResult.GetValue(ExcludeInternal));
        if (names.Count == 0)
        {
            return 0;
        }

        int exitCode = 0;
        List<TopicDescription> descriptions;
        try
        {
            DescribeTopicsResult result = await admin.DescribeTopicsAsync(
                TopicCollection.OfTopicNames(names),
                new DescribeTopicsOptions { RequestTimeout = TopicsCommand.RequestTimeout });
            descriptions = result.TopicDescriptions;
        }
        catch (DescribeTopicsException e)
        {
            descriptions = [];
            foreach (TopicDescription description in e.Results.TopicDescriptions)
            {
                if (description.Error.IsError)
                {
                    string reason = description.Error.Code == ErrorCode.UnknownTopicOrPart
                        ? $"Topic '{description.Name}' does not exist as expected"
                        : TopicsCreateCommand.Describe(description.Error);
                    await error.WriteLineAsync($"Error while executing topic command : {reason}");
                    exitCode = 1;
                }
                else
                {
                    descriptions.Add(description);
                }
            }
        }

        Dictionary<string, List<ConfigEntryResult>> configs = await DescribeConfigsAsync(admin, descriptions);
        Dictionary<(string Topic, int Partition), CleanerProgress>? cleaner = null;
        if (parseResult.GetValue(MetricsUrl) is { } metricsUrl)
        {
            // A failed scrape is reported, and the description is printed without the cleaner's
            // progress: the Kafka side of the answer is still right.
            try
            {
                cleaner = CleanerProgress.FromSamples(await MetricsScrape.ReadAsync(MetricsScrape.ResolveUrl(metricsUrl), TopicsCommand.RequestTimeout, cancellationToken));
            }
            catch (ToolException e)
            {
                await error.WriteLineAsync(e.Message);
                exitCode = 1;
            }
        }

        descriptions.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (TopicDescription description in descriptions)
        {
            configs.TryGetValue(description.Name, out List<ConfigEntryResult>? entries);
            await output.WriteAsync(Format(description, entries, cleaner));
        }

        return exitCode;
    }

    private static List<string> ResolveNames(IAdminClient admin, string[]? requested, bool excludeInternal)
    {
        List<string> names = [];
        if (requested is { Length: > 0 })
        {
            foreach (string topic in requested)
            {
                foreach (string name in topic.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    names.Add(name);
                }
            }

            return names;
        }

        foreach (TopicMetadata topic in admin.GetMetadata(TopicsCommand.RequestTimeout).Topics)
        {
            if (topic.Error.Code == ErrorCode.NoError && !(excludeInternal && TopicsCommand.IsInternal(topic.Topic)))
            {
                names.Add(topic.Topic);
            }
        }

        return names;
    }

    private static async Task<Dictionary<string, List<ConfigEntryResult>>> DescribeConfigsAsync(IAdminClient admin, List<TopicDescription> descriptions)
    {
        Dictionary<string, List<ConfigEntryResult>> configs = new(StringComparer.Ordinal);
        if (descriptions.Count == 0)
        {
            return configs;
        }

        List<ConfigResource> resources = new(descriptions.Count);
        foreach (TopicDescription description in descriptions)
        {
            resources.Add(new ConfigResource { Type = ResourceType.Topic, Name = description.Name });
        }

        try
        {
            List<DescribeConfigsResult> results = await admin.DescribeConfigsAsync(
                resources, new DescribeConfigsOptions { RequestTimeout = TopicsCommand.RequestTimeout });
            foreach (DescribeConfigsResult result in results)
            {
                configs[result.ConfigResource.Name] = [.. result.Entries.Values];
            }
        }
        catch (DescribeConfigsException e)
        {
            // Print the topics whose configs could be read; the others show no configs.
            foreach (DescribeConfigsReport report in e.Results)
            {
                if (!report.Error.IsError)
                {
                    configs[report.ConfigResource.Name] = [.. report.Entries.Values];
                }
            }
        }

        return configs;
    }

    /// <summary>
    /// The describe block of one topic, exactly as printed (each line ends with a newline). With
    /// <paramref name="cleaner"/> (a scrape of the broker's metrics), the partition lines of a
    /// compacted topic end with the cleaner's progress.
    /// </summary>
    internal static string Format(TopicDescription description, IReadOnlyList<ConfigEntryResult>? configs, IReadOnlyDictionary<(string Topic, int Partition), CleanerProgress>? cleaner = null)
    {
        StringBuilder text = new();
        int replicationFactor = description.Partitions.Count > 0 ? description.Partitions[0].Replicas.Count : 0;
        string? cleanupPolicy = CleanupPolicy(configs);
        text.Append("Topic: ").Append(description.Name)
            .Append("\tTopicId: ").Append(description.TopicId?.ToString() ?? "none")
            .Append("\tPartitionCount: ").Append(description.Partitions.Count)
            .Append("\tReplicationFactor: ").Append(replicationFactor)
            .Append("\tCleanupPolicy: ").Append(cleanupPolicy ?? "N/A")
            .Append("\tConfigs: ").Append(FormatConfigs(configs))
            .Append('\n');

        // cleanup.policy is a list: "compact,delete" compacts too.
        bool compacted = cleanupPolicy is not null && cleanupPolicy.Split(',', StringSplitOptions.TrimEntries).Contains("compact");

        List<TopicPartitionInfo> partitions = [.. description.Partitions];
        partitions.Sort(static (a, b) => a.Partition.CompareTo(b.Partition));
        foreach (TopicPartitionInfo partition in partitions)
        {
            text.Append("\tTopic: ").Append(description.Name)
                .Append("\tPartition: ").Append(partition.Partition)
                .Append("\tLeader: ").Append(partition.Leader is { } leader ? leader.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")
                .Append("\tReplicas: ").AppendJoin(',', NodeIds(partition.Replicas))
                .Append("\tIsr: ").AppendJoin(',', NodeIds(partition.ISR))
                .Append("\tElr: N/A\tLastKnownElr: N/A");
            if (compacted && cleaner is not null)
            {
                cleaner.GetValueOrDefault((description.Name, partition.Partition), CleanerProgress.Unknown).AppendTo(text);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The topic's <c>cleanup.policy</c> from DescribeConfigs (every entry, defaults included), or null when its configs could not be read.</summary>
    internal static string? CleanupPolicy(IReadOnlyList<ConfigEntryResult>? configs)
    {
        if (configs is null)
        {
            return null;
        }

        foreach (ConfigEntryResult entry in configs)
        {
            if (entry.Name == "cleanup.policy")
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>The non-default configs as <c>k=v,k=v</c>, sorted by name; sensitive values print as [hidden].</summary>
    internal static string FormatConfigs(IReadOnlyList<ConfigEntryResult>? configs)
    {
        if (configs is null)
        {
            return string.Empty;
        }

        List<ConfigEntryResult> shown = [];
        foreach (ConfigEntryResult entry in configs)
        {
            if (!entry.IsDefault)
            {
                shown.Add(entry);
            }
        }

        shown.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        StringBuilder text = new();
        foreach (ConfigEntryResult entry in shown)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(entry.Name).Append('=').Append(entry.IsSensitive ? "[hidden]" : entry.Value ?? "null");
        }

        return text.ToString();
    }

    private static IEnumerable<int> NodeIds(List<Node>? nodes)
    {
        if (nodes is null)
        {
            yield break;
        }

        foreach (Node node in nodes)
        {
            yield return node.Id;
        }
    }
}
