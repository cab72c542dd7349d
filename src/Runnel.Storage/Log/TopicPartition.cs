namespace Runnel.Storage.Log;

/// <summary>A topic name and partition index; <see cref="ToString"/> is the directory name <c>topic-partition</c>.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}-{Partition}";

    /// <summary>
    /// Parses a partition directory name <c>topic-partition</c>. Topic names may contain '-', so the
    /// partition is what follows the last '-'.
    /// </summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition topicPartition)
    {
        topicPartition = default;
        var dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1)
        {
            return false;
        }

        if (!int.TryParse(name.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out var partition))
        {
            return false;
        }

        topicPartition = new TopicPartition(name[..dash], partition);
        return true;
    }
}
