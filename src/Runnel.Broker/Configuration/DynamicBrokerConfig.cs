using System.Collections.Frozen;
using System.Globalization;

namespace Runnel.Broker.Configuration;

/// <summary>
/// Holds the broker's current <see cref="BrokerConfig"/> snapshot and applies AlterConfigs /
/// IncrementalAlterConfigs changes to the BROKER resource as in-memory overlays: the resource named
/// after this node's id sets DYNAMIC_BROKER_CONFIG values, the empty name sets
/// DYNAMIC_DEFAULT_BROKER_CONFIG (cluster-wide default) values. Only keys the registry marks dynamic
/// are accepted, and per-broker-only keys cannot be cluster defaults (Kafka's
/// <c>DynamicBrokerConfig.validateConfigs</c>).
/// </summary>
/// <remarks>
/// <para>Concurrency: readers take <see cref="Current"/> (a volatile read of an immutable
/// snapshot) and never block. Changes are validated and swapped under a lock, so concurrent alters
/// cannot lose each other's updates; <see cref="Changed"/> is raised after the swap, outside the
/// lock, on the altering thread. Components that cache derived values (retention, topic defaults,
/// connection limits) re-read them in that event.</para>
/// <para>Not persisted yet: dynamic values live only in memory and are gone after a restart, where
/// Kafka would have kept them in its metadata log. When Runnel's metadata store persists broker
/// config records, it replays them through <see cref="IncrementalAlter"/> at startup.</para>
/// </remarks>
public sealed class DynamicBrokerConfig
{
    private readonly Lock _lock = new();
    private BrokerConfig _current;

    /// <summary>Starts from the configuration loaded at startup.</summary>
    public DynamicBrokerConfig(BrokerConfig initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>The current snapshot.</summary>
    public BrokerConfig Current => Volatile.Read(ref _current);

    /// <summary>Raised with the new snapshot after a change has been applied.</summary>
    public event EventHandler<BrokerConfig>? Changed;

    /// <summary>
    /// Applies (or with <paramref name="validateOnly"/> only checks) an IncrementalAlterConfigs entry
    /// for the broker resource <paramref name="resourceName"/> (empty = cluster default, otherwise
    /// this node's id). The result's <see cref="ConfigChangeResult.Configs"/> is the resource's new
    /// complete set of dynamic values.
    /// </summary>
    public ConfigChangeResult IncrementalAlter(string resourceName, IReadOnlyList<ConfigAlterOperation> operations, bool validateOnly = false)
    {
        ArgumentNullException.ThrowIfNull(resourceName);
        ArgumentNullException.ThrowIfNull(operations);
        return Apply(resourceName, validateOnly, (config, layer, errors) =>
        {
            if (!TopicConfigResolver.CheckRequestShape(operations, op => op.Name, op => op.Operation != AlterConfigOpType.Delete && op.Value is null, errors))
            {
                return null;
            }

            var proposed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, ConfigValue> pair in layer)
            {
                proposed[pair.Key] = pair.Value.RawValue ?? string.Empty;
            }

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
                        if (!BrokerConfigs.Registry.TryGet(operation.Name, out ConfigDefinition? definition))
                        {
                            errors.Add(new ConfigError(operation.Name, ConfigErrorKind.UnknownName, BrokerConfigs.Registry.UnknownNameMessage(operation.Name)));
                            break;
                        }

                        if (definition.Type != ConfigType.List)
                        {
                            errors.Add(TopicConfigResolver.NotListError(operation));
                            break;
                        }

                        IReadOnlyList<string> existing = proposed.TryGetValue(operation.Name, out string? raw)
                            ? ConfigDefinition.ParseList(raw)
                            : config.GetList(operation.Name);
                        proposed[operation.Name] = string.Join(",", TopicConfigResolver.ApplyListOperation(existing, operation));
                        break;
                    default:
                        errors.Add(new ConfigError(operation.Name, ConfigErrorKind.Malformed,
                            $"Unknown operations type {((byte)operation.Operation).ToString(CultureInfo.InvariantCulture)}"));
                        break;
                }
            }

            // Keys the request did not touch were validated when they were set.
            var touched = new HashSet<string>(StringComparer.Ordinal);
            foreach (ConfigAlterOperation operation in operations)
            {
                touched.Add(operation.Name);
            }

            return (proposed, touched);
        });
    }

    /// <summary>
    /// Applies (or only checks) a legacy AlterConfigs entry for the broker resource: the given
    /// configs replace the resource's dynamic values entirely (unlisted keys are removed), as in Kafka.
    /// </summary>
    public ConfigChangeResult Alter(string resourceName, IReadOnlyList<KeyValuePair<string, string?>> configs, bool validateOnly = false)
    {
        ArgumentNullException.ThrowIfNull(resourceName);
        ArgumentNullException.ThrowIfNull(configs);
        return Apply(resourceName, validateOnly, (_, _, errors) =>
        {
            if (!TopicConfigResolver.CheckRequestShape(configs, pair => pair.Key, pair => pair.Value is null, errors))
            {
                return null;
            }

            var proposed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string?> pair in configs)
            {
                proposed[pair.Key] = pair.Value!;
            }

            return (proposed, new HashSet<string>(proposed.Keys, StringComparer.Ordinal));
        });
    }

    private ConfigChangeResult Apply(
        string resourceName,
        bool validateOnly,
        Func<BrokerConfig, IReadOnlyDictionary<string, ConfigValue>, List<ConfigError>, (Dictionary<string, string> Proposed, HashSet<string> Touched)?> propose)
    {
        BrokerConfig updated;
        ConfigChangeResult result;
        lock (_lock)
        {
            BrokerConfig config = _current;
            var errors = new List<ConfigError>();
            bool clusterDefault = resourceName.Length == 0;
            IReadOnlyDictionary<string, ConfigValue> layer = clusterDefault ? config.DynamicDefaultValues : config.DynamicBrokerValues;
            Dictionary<string, string> unchanged = RawValues(layer);
            if (!clusterDefault && CheckResourceName(resourceName, config.NodeId) is { } nameError)
            {
                return new ConfigChangeResult(unchanged, [nameError]);
            }

            var proposal = propose(config, layer, errors);
            if (proposal is null || errors.Count > 0)
            {
                return new ConfigChangeResult(unchanged, errors);
            }

            (Dictionary<string, string> proposed, HashSet<string> touched) = proposal.Value;
            FrozenDictionary<string, ConfigValue>? newLayer = BuildLayer(proposed, touched, clusterDefault, errors);
            if (newLayer is null)
            {
                return new ConfigChangeResult(unchanged, errors);
            }

            updated = clusterDefault
                ? config.WithDynamicLayers(newLayer, config.DynamicBrokerLayer, errors)
                : config.WithDynamicLayers(config.DynamicDefaultLayer, newLayer, errors);
            if (errors.Count > 0)
            {
                return new ConfigChangeResult(unchanged, errors);
            }

            result = new ConfigChangeResult(proposed.ToFrozenDictionary(StringComparer.Ordinal), errors);
            if (validateOnly)
            {
                return result;
            }

            Volatile.Write(ref _current, updated);
        }

        Changed?.Invoke(this, updated);
        return result;
    }

    private static ConfigError? CheckResourceName(string resourceName, int nodeId)
    {
        if (!int.TryParse(resourceName, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            return new ConfigError(resourceName, ConfigErrorKind.WrongBroker, $"Node id must be an integer, but it is: {resourceName}");
        }

        return id == nodeId
            ? null
            : new ConfigError(resourceName, ConfigErrorKind.WrongBroker, $"Unexpected broker id, expected {nodeId}, but received {resourceName}");
    }

    private static Dictionary<string, string> RawValues(IReadOnlyDictionary<string, ConfigValue> layer)
    {
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, ConfigValue> pair in layer)
        {
            raw[pair.Key] = pair.Value.RawValue ?? string.Empty;
        }

        return raw;
    }

    private static FrozenDictionary<string, ConfigValue>? BuildLayer(
        Dictionary<string, string> proposed,
        HashSet<string> touched,
        bool clusterDefault,
        List<ConfigError> errors)
    {
        var layer = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        var valueErrors = new List<ConfigError>();
        var notDynamic = new List<string>();
        var perBrokerOnly = new List<string>();
        foreach (KeyValuePair<string, string> pair in proposed)
        {
            if (!BrokerConfigs.Registry.TryGet(pair.Key, out ConfigDefinition? definition))
            {
                valueErrors.Add(new ConfigError(pair.Key, ConfigErrorKind.UnknownName, BrokerConfigs.Registry.UnknownNameMessage(pair.Key)));
                continue;
            }

            if (touched.Contains(pair.Key))
            {
                if (definition.Dynamic == DynamicUpdateMode.ReadOnly)
                {
                    notDynamic.Add(pair.Key);
                    continue;
                }

                if (clusterDefault && definition.Dynamic == DynamicUpdateMode.PerBroker)
                {
                    perBrokerOnly.Add(pair.Key);
                    continue;
                }
            }

            if (!definition.TryParse(pair.Value, out object? parsed, out string? error))
            {
                valueErrors.Add(new ConfigError(pair.Key, ConfigErrorKind.InvalidValue, error));
                continue;
            }

            layer[pair.Key] = new ConfigValue(
                definition,
                pair.Value,
                parsed,
                clusterDefault ? ConfigSource.DynamicDefaultBrokerConfig : ConfigSource.DynamicBrokerConfig,
                "AlterConfigs");
        }

        // Kafka checks the update mode before the values, and lists the offending keys as a Scala Set.
        if (notDynamic.Count > 0)
        {
            errors.Add(new ConfigError(notDynamic[0], ConfigErrorKind.NotDynamic, $"Cannot update these configs dynamically: Set({string.Join(", ", notDynamic)})"));
        }

        if (perBrokerOnly.Count > 0)
        {
            errors.Add(new ConfigError(perBrokerOnly[0], ConfigErrorKind.PerBrokerOnly,
                $"Cannot update these configs at default cluster level, broker id must be specified: Set({string.Join(", ", perBrokerOnly)})"));
        }

        errors.AddRange(valueErrors);
        return errors.Count > 0 ? null : layer.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
