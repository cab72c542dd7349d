namespace Runnel.Broker.Metadata;

/// <summary>Kafka's topic name rules (org.apache.kafka.common.internals.Topic).</summary>
public static class TopicNames
{
    /// <summary>Longest legal name: 249, so partition directory names stay under 255 bytes.</summary>
    public const int MaxLength = 249;

    /// <summary>Returns null when <paramref name="name"/> is legal, else Kafka's reason.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is illegal, it can't be empty";
        }

        if (name is "." or "..")
        {
            return "Topic name cannot be \".\" or \"..\"";
        }

        if (name.Length > MaxLength)
        {
            return $"Topic name is illegal, it can't be longer than {MaxLength} characters, topic name: {name}";
        }

        foreach (var c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '.' or '_' or '-'))
            {
                return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
            }
        }

        return null;
    }

    /// <summary>
    /// '.' and '_' map to the same metric name, so Kafka refuses a topic whose name differs from an
    /// existing one only in those characters.
    /// </summary>
    public static bool Collides(string a, string b) =>
        a != b && a.Length == b.Length && a.Replace('.', '_') == b.Replace('.', '_');
}
