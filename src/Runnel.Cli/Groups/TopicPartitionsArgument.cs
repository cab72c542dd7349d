using System.Globalization;

namespace Runnel.Cli.Groups;

/// <summary>
/// A <c>--topic</c> value of reset-offsets and delete-offsets: <c>topic</c> (every partition) or
/// <c>topic:0,1,2</c> (those partitions), as kafka-consumer-groups.sh reads it.
/// </summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partitions">The partitions given after ':', or null for all of the topic's partitions.</param>
internal sealed record TopicPartitionsArgument(string Topic, IReadOnlyList<int>? Partitions)
{
    /// <summary>Parses an argument the command line's validator has already accepted.</summary>
    public static TopicPartitionsArgument Parse(string text) =>
        TryParse(text, out TopicPartitionsArgument? argument, out string? problem) ? argument! : throw new FormatException(problem);

    /// <summary>Parses one argument; <paramref name="problem"/> is Kafka's message when it is malformed.</summary>
    public static bool TryParse(string text, out TopicPartitionsArgument? argument, out string? problem)
    {
        argument = null;
        problem = null;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            if (text.Length == 0)
            {
                problem = "Invalid topic arg '', expected a topic name";
                return false;
            }

            argument = new TopicPartitionsArgument(text, null);
            return true;
        }

        string topic = text[..colon];
        string partitions = text[(colon + 1)..];
        if (topic.Length == 0 || partitions.Length == 0 || partitions.Contains(':', StringComparison.Ordinal))
        {
            problem = $"Invalid topic arg '{text}', expected topic name and partitions";
            return false;
        }

        List<int> parsed = [];
        foreach (string partition in partitions.Split(','))
        {
            if (!int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                problem = $"Invalid partition '{partition}' specified in topic arg '{text}'";
                return false;
            }

            if (!parsed.Contains(number))
            {
                parsed.Add(number);
            }
        }

        argument = new TopicPartitionsArgument(topic, parsed);
        return true;
    }
}
