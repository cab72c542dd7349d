using System.Collections.Frozen;
using System.Globalization;

namespace Runnel.Broker.Configuration;

/// <summary>
/// Topic configs against a broker configuration: the effective value and source of each topic
/// config (DescribeConfigs on a TOPIC resource), the typed values the log layer needs, and the
/// validation of proposed overrides for CreateTopics, AlterConfigs and IncrementalAlterConfigs.
/// </summary>
/// <remarks>
/// <para>A topic stores only its explicit overrides (name → value text, Kafka's dynamic topic
/// configs). Every other value comes from the first broker synonym that has a value, explicit or
/// default (Kafka's <c>ServerTopicConfigSynonyms</c> priority: <c>log.retention.ms</c>, then
/// <c>log.retention.minutes</c>, then <c>log.retention.hours</c>), converted to the topic's unit, and
/// failing that from Kafka's topic default.</para>
/// <para>Two deliberate differences from Kafka 4.0, both more informative and invisible to clients
/// that only display the results: the reported source is that of the synonym that actually
/// supplies the value (Kafka reports the first synonym listed, and drops synonyms listed before the
/// highest-priority one, so a static <c>log.retention.hours</c> shows as DEFAULT_CONFIG there); and
/// APPEND/SUBTRACT on a topic without an override start from the topic's effective value rather
/// than Kafka's static default.</para>
/// <para>Stateless and thread-safe: every method takes the broker snapshot to resolve against.</para>
/// </remarks>
public static class TopicConfigResolver
{
    private static readonly ConfigRegistry s_registry = TopicConfigs.Registry;

    private const string RemoteStorageDisabledMessage =
        "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.";

    /// <summary>
    /// The effective parsed value of topic config <paramref name="name"/> and where it comes from.
    /// A stored override that no longer parses is reported through <see cref="ConfigException"/>.
    /// </summary>
    public static object GetValue(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides, string name, out ConfigSource source)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(overrides);
        ConfigDefinition definition = s_registry[name];
        var errors = new List<ConfigError>();
        (object value, source) = Effective(broker, definition, overrides, errors);
        if (errors.Count > 0)
        {
            throw new ConfigException(errors, "topic");
        }

        return value;
    }

    /// <summary>
    /// The typed effective configuration of a topic with <paramref name="overrides"/>. Throws
    /// <see cref="ConfigException"/> if a stored override does not parse (validation at create/alter
    /// time prevents that).
    /// </summary>
    public static ResolvedTopicConfig Resolve(BrokerConfig broker, IReadOnlyDictionary<string, string> overrides)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(overrides);
        var errors = new List<ConfigError>();
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (ConfigDefinition definition in s_registry.Definitions)
        {
            values[definition.Name] = Effective(broker, definition, overrides, errors).Value;
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(errors, "topic");
        }

        var policy = (IReadOnlyList<string>)values[TopicConfigs.CleanupPolicy];
        return new ResolvedTopicConfig
        {
            CleanupPolicyDelete = policy.Contains("delete"),
            CleanupPolicyCompact = policy.Contains("compact"),
            CompressionType = (string)values[TopicConfigs.CompressionType] switch
            {
                "uncompressed" => BrokerCompressionType.Uncompressed,
                "gzip" => BrokerCompressionType.Gzip,
                "snappy" => BrokerCompressionType.Snappy,
                "lz4" => BrokerCompressionType.Lz4,
                "zstd" => BrokerCompressionType.Zstd,
                _ => BrokerCompressionType.Producer,
            },
            CompressionGzipLevel = (int)values[TopicConfigs.CompressionGzipLevel],
            CompressionLz4Level = (int)values[TopicConfigs.CompressionLz4Level],
            CompressionZstdLevel = (int)values[TopicConfigs.CompressionZstdLevel],
            DeleteRetentionMs = (long)values[TopicConfigs.DeleteRetentionMs],
            FileDeleteDelayMs = (long)values[TopicConfigs.FileDeleteDelayMs],
            FlushMessages = (long)values[TopicConfigs.FlushMessages],
            FlushMs = (long)values[TopicConfigs.FlushMs],
            IndexIntervalBytes = (int)values[TopicConfigs.IndexIntervalBytes],
            MaxCompactionLagMs = (long)values[TopicConfigs.MaxCompactionLagMs],
            MaxMessageBytes = (int)values[TopicConfigs.MaxMessageBytes],
            MessageTimestampAfterMaxMs = (long)values[TopicConfigs.MessageTimestampAfterMaxMs],
            MessageTimestampBeforeMaxMs = (long)values[TopicConfigs.MessageTimestampBeforeMaxMs],
            MessageTimestampType = (string)values[TopicConfigs.MessageTimestampType] == "LogAppendTime"
                ? MessageTimestampType.LogAppendTime
                : MessageTimestampType.CreateTime,
            MinCleanableDirtyRatio = (double)values[TopicConfigs.MinCleanableDirtyRatio],
            MinCompactionLagMs = (long)values[TopicConfigs.MinCompactionLagMs],
            MinInSyncReplicas = (int)values[TopicConfigs.MinInSyncReplicas],
            Preallocate = (bool)values[TopicConfigs.Preallocate],
            RetentionBytes = (long)values[TopicConfigs.RetentionBytes],
            RetentionMs = (long)values[TopicConfigs.RetentionMs],
            SegmentBytes = (int)values[TopicConfigs.SegmentBytes],
            SegmentIndexBytes = (int)values[TopicConfigs.SegmentIndexBytes],
            SegmentJitterMs = (long)values[TopicConfigs.SegmentJitterMs],
            SegmentMs = (long)values[TopicConfigs.SegmentMs],
            UncleanLeaderElectionEnable = (bool)values[TopicConfigs.UncleanLeaderElectionEnable],
            FlushOnAcksAll = (bool)values[TopicConfigs.RunnelFlushOnAcksAll],
        };
    }

    /// <summary>
    /// Describes a topic (DescribeConfigs v1–4 on a TOPIC resource): every topic config, or only
    /// <paramref name="names"/> (unknown names skipped), with its effective value, source, and when
    /// asked the synonyms — the topic's override first, then the broker synonyms grouped by layer
    /// (dynamic per-broker, dynamic default, static, default) in synonym priority order.
    /// </summary>
    public static IReadOnlyList<DescribedConfig> Describe(
        BrokerConfig broker,
        IReadOnlyDictionary<string, string> overrides,
        IReadOnlyCollection<string>? names = null,
        bool includeSynonyms = false,
        bool includeDocumentation = false)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(overrides);
        var result = new List<DescribedConfig>();
        foreach (ConfigDefinition definition in s_registry.Definitions)
        {
            if (names is not null && !names.Contains(definition.Name))
            {
                continue;
            }

            var errors = new List<ConfigError>();
            (object value, ConfigSource source) = Effective(broker, definition, overrides, errors);
            string? valueString = errors.Count > 0 ? overrides[definition.Name].Trim() : ConfigDefinition.FormatValue(definition.Type, value);
            if (definition.Sensitive)
            {
                valueString = null;
            }

            List<DescribedSynonym> synonyms = [];
            if (includeSynonyms)
            {
                if (overrides.ContainsKey(definition.Name))
                {
                    synonyms.Add(new DescribedSynonym(definition.Name, valueString, ConfigSource.DynamicTopicConfig));
                }

                var synonymNames = new string[definition.BrokerSynonyms.Count];
                for (int i = 0; i < synonymNames.Length; i++)
                {
                    synonymNames[i] = definition.BrokerSynonyms[i].Name;
                }

                synonyms.AddRange(broker.SynonymEntries(synonymNames, definition.Sensitive));
            }

            result.Add(new DescribedConfig(
                definition.Name,
                valueString,
                source,
                IsReadOnly: false,
                IsSensitive: definition.Sensitive,
                definition.Type,
                synonyms,
                includeDocumentation ? definition.Documentation : null));
        }

        return result;
    }

    /// <summary>
    /// Validates the configs of a CreateTopics request entry: every name known, every value valid,
    /// the combination consistent. On success <see cref="ConfigChangeResult.Configs"/> holds the
    /// overrides to store (a repeated name keeps its last value).
    /// </summary>
    public static ConfigChangeResult ValidateCreate(BrokerConfig broker, IEnumerable<KeyValuePair<string, string?>> configs)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(configs);
        var proposed = new Dictionary<string, string>(StringComparer.Ordinal);
        var nulls = new List<string>();
        foreach (KeyValuePair<string, string?> pair in configs)
        {
            if (pair.Value is null)
            {
                nulls.Add(pair.Key);
            }
            else
            {
                proposed[pair.Key] = pair.Value;
            }
        }

        var errors = new List<ConfigError>();
        if (nulls.Count > 0)
        {
            // Kafka's controller answers INVALID_CONFIG here (ReplicationControlManager.createTopics).
            errors.Add(new ConfigError(nulls[0], ConfigErrorKind.InvalidValue, $"Null value not supported for topic configs: {string.Join(",", nulls)}"));
        }

        return Finish(broker, proposed, FrozenDictionary<string, string>.Empty, errors);
    }

    /// <summary>
    /// Validates a legacy AlterConfigs request for a topic: <paramref name="configs"/> replaces the
    /// topic's overrides entirely (configs not listed are removed), as in Kafka.
    /// </summary>
    public static ConfigChangeResult ValidateAlter(
        BrokerConfig broker,
        IReadOnlyDictionary<string, string> current,
        IEnumerable<KeyValuePair<string, string?>> configs)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(configs);
        var proposed = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<ConfigError>();
        if (CheckRequestShape(configs, pair => pair.Key, pair => pair.Value is null, errors))
        {
            foreach (KeyValuePair<string, string?> pair in configs)
            {
                proposed[pair.Key] = pair.Value!;
            }
        }

        return Finish(broker, proposed, current, errors);
    }

    /// <summary>
    /// Validates an IncrementalAlterConfigs request for a topic whose overrides are
    /// <paramref name="current"/>: SET replaces, DELETE removes the override, APPEND adds list
    /// elements not yet present, SUBTRACT removes list elements. On success
    /// <see cref="ConfigChangeResult.Configs"/> is the topic's complete new set of overrides.
    /// </summary>
    public static ConfigChangeResult ValidateIncrementalAlter(
        BrokerConfig broker,
        IReadOnlyDictionary<string, string> current,
        IEnumerable<ConfigAlterOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(operations);
        var errors = new List<ConfigError>();
        if (!CheckRequestShape(operations, op => op.Name, op => op.Operation != AlterConfigOpType.Delete && op.Value is null, errors))
        {
            return new ConfigChangeResult(current, errors);
        }

        var proposed = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (ConfigAlterOperation operation in operations)
        {
            switch (operation.Operation)
            {
                case AlterConfigOpType.Set:
                    proposed[operation.Name] = operation.Value!;
                    break;
                case AlterConfigOpType.Delete:
                    proposed.Remove(operation.Name);
                    break;
                case AlterConfigOpType.Append:
                case AlterConfigOpType.Subtract:
                    if (!s_registry.TryGet(operation.Name, out ConfigDefinition? definition))
                    {
                        errors.Add(new ConfigError(operation.Name, ConfigErrorKind.UnknownName, s_registry.UnknownNameMessage(operation.Name)));
                        break;
                    }

                    if (definition.Type != ConfigType.List)
                    {
                        errors.Add(NotListError(operation));
                        break;
                    }

                    IReadOnlyList<string> existing = proposed.TryGetValue(operation.Name, out string? raw)
                        ? ConfigDefinition.ParseList(raw)
                        : (IReadOnlyList<string>)Effective(broker, definition, FrozenDictionary<string, string>.Empty, null).Value;
                    proposed[operation.Name] = string.Join(",", ApplyListOperation(existing, operation));
                    break;
                default:
                    errors.Add(new ConfigError(operation.Name, ConfigErrorKind.Malformed,
                        $"Unknown operations type {((byte)operation.Operation).ToString(CultureInfo.InvariantCulture)}"));
                    break;
            }
        }

        return Finish(broker, proposed, current, errors);
    }

    internal static ConfigError NotListError(ConfigAlterOperation operation) =>
        new(operation.Name, ConfigErrorKind.NotListType,
            $"Can't {(operation.Operation == AlterConfigOpType.Append ? "APPEND" : "SUBTRACT")} to key {operation.Name} because its type is not LIST.");

    /// <summary>APPEND adds elements not yet present (in order); SUBTRACT removes one occurrence of each element.</summary>
    internal static List<string> ApplyListOperation(IReadOnlyList<string> existing, ConfigAlterOperation operation)
    {
        var result = new List<string>();
        foreach (string element in existing)
        {
            if (element.Length > 0)
            {
                result.Add(element);
            }
        }

        foreach (string element in ConfigDefinition.ParseList(operation.Value ?? string.Empty))
        {
            if (element.Length == 0)
            {
                continue;
            }

            if (operation.Operation == AlterConfigOpType.Append)
            {
                if (!result.Contains(element))
                {
                    result.Add(element);
                }
            }
            else
            {
                result.Remove(element);
            }
        }

        return result;
    }

    /// <summary>
    /// The request-level checks Kafka's ConfigAdminManager makes before anything else: no key twice,
    /// no null value where one is needed. Returns false (with one error) when they fail.
    /// </summary>
    internal static bool CheckRequestShape<T>(IEnumerable<T> entries, Func<T, string> name, Func<T, bool> isNullValue, List<ConfigError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var nulls = new List<string>();
        foreach (T entry in entries)
        {
            string key = name(entry);
            if (!seen.Add(key))
            {
                errors.Add(new ConfigError(key, ConfigErrorKind.DuplicateName, "Error due to duplicate config keys"));
                return false;
            }

            if (isNullValue(entry))
            {
                nulls.Add(key);
            }
        }

        if (nulls.Count > 0)
        {
            errors.Add(new ConfigError(nulls[0], ConfigErrorKind.NullValue, $"Null value not supported for : {string.Join(", ", nulls)}"));
            return false;
        }

        return true;
    }

    private static ConfigChangeResult Finish(
        BrokerConfig broker,
        Dictionary<string, string> proposed,
        IReadOnlyDictionary<string, string> unchanged,
        List<ConfigError> errors)
    {
        ValidateSet(broker, proposed, errors);
        return errors.Count == 0
            ? new ConfigChangeResult(proposed.ToFrozenDictionary(StringComparer.Ordinal), errors)
            : new ConfigChangeResult(unchanged, errors);
    }

    // Kafka's LogConfig.validate: known names, valid values, then the cross-config rules.
    private static void ValidateSet(BrokerConfig broker, Dictionary<string, string> proposed, List<ConfigError> errors)
    {
        int before = errors.Count;
        foreach (KeyValuePair<string, string> pair in proposed)
        {
            if (!s_registry.TryGet(pair.Key, out ConfigDefinition? definition))
            {
                errors.Add(new ConfigError(pair.Key, ConfigErrorKind.UnknownName, s_registry.UnknownNameMessage(pair.Key)));
            }
            else if (!definition.TryParse(pair.Value, out _, out string? error))
            {
                errors.Add(new ConfigError(pair.Key, ConfigErrorKind.InvalidValue, error));
            }
        }

        if (errors.Count > before)
        {
            return;
        }

        long minLag = (long)Effective(broker, s_registry[TopicConfigs.MinCompactionLagMs], proposed, null).Value;
        long maxLag = (long)Effective(broker, s_registry[TopicConfigs.MaxCompactionLagMs], proposed, null).Value;
        if (minLag > maxLag)
        {
            errors.Add(new ConfigError(TopicConfigs.MinCompactionLagMs, ConfigErrorKind.InvalidValue,
                $"conflict topic config setting {TopicConfigs.MinCompactionLagMs} ({minLag}) > {TopicConfigs.MaxCompactionLagMs} ({maxLag})"));
        }

        // Kafka refuses remote.storage.enable=true unless remote.log.storage.system.enable is on;
        // Runnel has no tiered storage, so the system switch is always off.
        if ((bool)Effective(broker, s_registry[TopicConfigs.RemoteStorageEnable], proposed, null).Value)
        {
            errors.Add(new ConfigError(TopicConfigs.RemoteStorageEnable, ConfigErrorKind.InvalidValue, RemoteStorageDisabledMessage));
        }
    }

    private static (object Value, ConfigSource Source) Effective(
        BrokerConfig broker,
        ConfigDefinition definition,
        IReadOnlyDictionary<string, string> overrides,
        List<ConfigError>? errors)
    {
        if (overrides.TryGetValue(definition.Name, out string? raw))
        {
            if (definition.TryParse(raw, out object? parsed, out string? error))
            {
                return (parsed, ConfigSource.DynamicTopicConfig);
            }

            errors?.Add(new ConfigError(definition.Name, ConfigErrorKind.InvalidValue, error));
        }

        foreach (BrokerSynonym synonym in definition.BrokerSynonyms)
        {
            ConfigValue brokerValue = broker.Get(synonym.Name);
            if (brokerValue.Value is not null)
            {
                object converted = synonym.Convert(brokerValue.Value, definition.Type);

                // Kafka's KafkaConfig.logRetentionTimeMillis: any negative broker retention means "no limit".
                if (definition.Name == TopicConfigs.RetentionMs && (long)converted < 0)
                {
                    converted = -1L;
                }

                return (converted, brokerValue.Source);
            }
        }

        return (definition.Default ?? throw new InvalidOperationException($"Topic config {definition.Name} has no default."), ConfigSource.DefaultConfig);
    }
}
