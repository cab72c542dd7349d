namespace Runnel.Broker.Configuration;

// DescribeConfigs for the BROKER resource, following Kafka's ConfigHelper.createBrokerConfigEntry.
public sealed partial class BrokerConfig
{
    private static readonly ConfigSource[] s_synonymOrder =
    [
        ConfigSource.DynamicBrokerConfig,
        ConfigSource.DynamicDefaultBrokerConfig,
        ConfigSource.StaticBrokerConfig,
        ConfigSource.DefaultConfig,
    ];

    /// <summary>
    /// Describes the broker resource. For this broker (<paramref name="clusterDefault"/> false) every
    /// config is returned with its effective value; for the cluster-default resource (empty name)
    /// only the configs set as dynamic cluster defaults. <paramref name="names"/> limits the result
    /// to those keys (unknown names are skipped, as Kafka does). Synonyms follow Kafka's order: all
    /// dynamic per-broker values, then dynamic defaults, then static, then defaults, each in synonym
    /// priority order (e.g. <c>log.retention.ms</c>, <c>.minutes</c>, <c>.hours</c>), starting at the
    /// described key itself.
    /// </summary>
    public IReadOnlyList<DescribedConfig> Describe(
        bool clusterDefault = false,
        IReadOnlyCollection<string>? names = null,
        bool includeSynonyms = false,
        bool includeDocumentation = false)
    {
        var result = new List<DescribedConfig>();
        foreach (ConfigDefinition definition in s_registry.Definitions)
        {
            if (names is not null && !names.Contains(definition.Name))
            {
                continue;
            }

            if (clusterDefault && !_dynamicDefault.ContainsKey(definition.Name))
            {
                continue;
            }

            List<DescribedSynonym> synonyms = BrokerSynonymEntries(definition.Name, definition.Sensitive, clusterDefault);
            string? value = clusterDefault
                ? _dynamicDefault[definition.Name].ValueString
                : _effective[definition.Name].ValueString;
            result.Add(new DescribedConfig(
                definition.Name,
                definition.Sensitive ? null : value,
                synonyms.Count == 0 ? ConfigSource.DefaultConfig : synonyms[0].Source,
                IsReadOnly: definition.Dynamic == DynamicUpdateMode.ReadOnly,
                IsSensitive: definition.Sensitive,
                definition.Type,
                includeSynonyms ? synonyms : [],
                includeDocumentation ? definition.Documentation : null));
        }

        return result;
    }

    /// <summary>
    /// The broker configs that are synonyms of <paramref name="name"/>, highest priority first (Kafka's
    /// <c>DynamicBrokerConfig.brokerConfigSynonyms</c>): the hour/minute forms of the time configs and
    /// the flush scheduler interval; every other key is its own only synonym.
    /// </summary>
    public static IReadOnlyList<string> BrokerSynonymNames(string name)
    {
        foreach (ConfigDefinition topic in TopicConfigs.Registry.Definitions)
        {
            IReadOnlyList<BrokerSynonym> synonyms = topic.BrokerSynonyms;
            if (synonyms.Count < 2)
            {
                continue;
            }

            foreach (BrokerSynonym synonym in synonyms)
            {
                if (synonym.Name == name)
                {
                    var names = new string[synonyms.Count];
                    for (int i = 0; i < names.Length; i++)
                    {
                        names[i] = synonyms[i].Name;
                    }

                    return names;
                }
            }
        }

        return [name];
    }

    /// <summary>
    /// Every layer's value for each of <paramref name="synonymNames"/>, grouped by layer in Kafka's
    /// order (dynamic per-broker, dynamic default, static, default) and by synonym priority within a layer.
    /// </summary>
    internal List<DescribedSynonym> SynonymEntries(IReadOnlyList<string> synonymNames, bool sensitive)
    {
        var entries = new List<DescribedSynonym>();
        foreach (ConfigSource layer in s_synonymOrder)
        {
            foreach (string synonym in synonymNames)
            {
                if (TryGetLayerValue(synonym, layer, out ConfigValue? value))
                {
                    entries.Add(new DescribedSynonym(synonym, sensitive ? null : value.ValueString, layer));
                }
            }
        }

        return entries;
    }

    private List<DescribedSynonym> BrokerSynonymEntries(string name, bool sensitive, bool clusterDefault)
    {
        List<DescribedSynonym> entries = SynonymEntries(BrokerSynonymNames(name), sensitive);

        // Kafka drops the higher-priority synonyms listed before the described key itself
        // (ConfigHelper.configSynonyms: dropWhile(name != described)).
        int first = entries.FindIndex(e => e.Name == name);
        if (first < 0)
        {
            entries.Clear();
        }
        else if (first > 0)
        {
            entries.RemoveRange(0, first);
        }

        if (clusterDefault)
        {
            entries.RemoveAll(e => e.Source != ConfigSource.DynamicDefaultBrokerConfig);
        }

        return entries;
    }
}
