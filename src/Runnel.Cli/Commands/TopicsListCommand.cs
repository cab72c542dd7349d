using System.CommandLine;
using Confluent.Kafka;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Commands;

/// <summary><c>runnel topics list</c>: every topic name, sorted, one per line.</summary>
internal sealed class TopicsListCommand : ToolCommand
{
    private readonly KafkaClientOptions _client = new([], []);

    public TopicsListCommand()
        : base("list", "List topic names.")
    {
        _client.AddTo(this);
        Options.Add(ExcludeInternal);
    }

    public Option<bool> ExcludeInternal { get; } = new("--exclude-internal") { Description = "Leave out internal topics such as __consumer_offsets." };

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        using IAdminClient admin = KafkaClients.CreateAdmin(_client.BuildConfig(parseResult), error);
        Metadata metadata = admin.GetMetadata(TopicsCommand.RequestTimeout);
        bool excludeInternal = parseResult.GetValue(ExcludeInternal);

        List<string> names = [];
        foreach (TopicMetadata topic in metadata.Topics)
        {
            if (topic.Error.Code == ErrorCode.NoError && !(excludeInternal && TopicsCommand.IsInternal(topic.Topic)))
            {
                names.Add(topic.Topic);
            }
        }

        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            await output.WriteLineAsync(name);
        }

        return 0;
    }
}
