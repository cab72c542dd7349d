namespace Runnel.Broker.Configuration;

/// <summary>
/// A broker config that supplies a topic config's default when the topic has no override, e.g.
/// <c>log.retention.hours</c> for <c>retention.ms</c>. A topic definition lists its synonyms in
/// priority order, exactly as Kafka's <c>ServerTopicConfigSynonyms</c> does: the first synonym
/// with a value (explicit or default) wins.
/// </summary>
/// <param name="Name">The broker config's name.</param>
/// <param name="Conversion">The unit conversion applied to the broker value.</param>
public sealed record BrokerSynonym(string Name, SynonymConversion Conversion = SynonymConversion.None)
{
    /// <summary>Converts a parsed broker value into a value of the topic config's type.</summary>
    internal object Convert(object brokerValue, ConfigType topicType)
    {
        switch (Conversion)
        {
            case SynonymConversion.MinutesToMilliseconds:
                return checked(System.Convert.ToInt64(brokerValue) * 60_000L);
            case SynonymConversion.HoursToMilliseconds:
                return checked(System.Convert.ToInt64(brokerValue) * 3_600_000L);
        }

        return topicType switch
        {
            ConfigType.Int => System.Convert.ToInt32(brokerValue),
            ConfigType.Short => System.Convert.ToInt16(brokerValue),
            ConfigType.Long => System.Convert.ToInt64(brokerValue),
            ConfigType.Double => System.Convert.ToDouble(brokerValue),
            _ => brokerValue,
        };
    }
}
