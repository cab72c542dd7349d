using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Runnel.Broker.Configuration;

/// <summary>
/// The broker's effective configuration: an immutable snapshot of four layers, lowest priority
/// first — the registry's defaults (DEFAULT_CONFIG), the static inputs (<c>server.properties</c>,
/// <c>RUNNEL_*</c> variables, <c>--override</c>, options: STATIC_BROKER_CONFIG), the dynamic
/// cluster-wide defaults (DYNAMIC_DEFAULT_BROKER_CONFIG) and the dynamic per-broker values
/// (DYNAMIC_BROKER_CONFIG). Each layer keeps the raw text, parsed value and origin of every key it
/// sets, which DescribeConfigs reports; the typed accessors read the winning value.
/// </summary>
/// <remarks>
/// <para>Lifecycle: <see cref="Load"/> builds it at startup and throws one <see cref="ConfigException"/>
/// naming every bad key. Dynamic changes never mutate a snapshot: <see cref="DynamicBrokerConfig"/>
/// validates a change, builds a new snapshot and swaps it in. A snapshot is therefore safe to read
/// from any thread without locks.</para>
/// <para>Unlike Kafka, which logs and ignores unknown keys, Runnel refuses them: a misspelt key is a
/// startup error rather than a silently ignored setting.</para>
/// </remarks>
public sealed partial class BrokerConfig
{
    private static readonly ConfigRegistry s_registry = BrokerConfigs.Registry;

    // The static and effective layers are built once per snapshot and read a handful of times (the
    // typed accessors copy what the hot paths need), so a plain dictionary beats a frozen one: it
    // costs nothing to build, and the first broker start in a process does not pay for the frozen
    // collections' analysis and code. The dynamic layers are frozen: they are built only by AlterConfigs.
    private static readonly Lazy<BrokerConfig> s_default = new(() => Load(new BrokerConfigSources()));
    private readonly Dictionary<string, ConfigValue> _static;
    private readonly FrozenDictionary<string, ConfigValue> _dynamicBroker;
    private readonly FrozenDictionary<string, ConfigValue> _dynamicDefault;
    private readonly Dictionary<string, ConfigValue> _effective;
    private readonly List<ConfigError> _crossErrors = [];

    private BrokerConfig(
        Dictionary<string, ConfigValue> staticValues,
        FrozenDictionary<string, ConfigValue> dynamicDefault,
        FrozenDictionary<string, ConfigValue> dynamicBroker)
    {
        _static = staticValues;
        _dynamicDefault = dynamicDefault;
        _dynamicBroker = dynamicBroker;

        var effective = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (ConfigDefinition definition in s_registry.Definitions)
        {
            effective[definition.Name] = Winner(definition);
        }

        ResolveNodeId(effective);
        _effective = effective;
        InitializeTyped();
    }

    /// <summary>The registry these values belong to (<see cref="BrokerConfigs.Registry"/>).</summary>
    public static ConfigRegistry Registry => s_registry;

    /// <summary>Every default, nothing else: what <c>runnel broker</c> with no arguments runs with.</summary>
    public static BrokerConfig Default => s_default.Value;

    /// <summary>
    /// Builds the configuration from <paramref name="sources"/>; see <see cref="BrokerConfigSources"/>
    /// for the order. Throws <see cref="ConfigException"/> listing every unknown key, invalid value and
    /// inconsistent combination, each with where its value came from.
    /// </summary>
    public static BrokerConfig Load(BrokerConfigSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var errors = new List<ConfigError>();
        var raw = new Dictionary<string, (string Value, string Origin)>(StringComparer.Ordinal);
        var order = new List<string>();

        void Put(string key, string value, string origin)
        {
            if (!raw.ContainsKey(key))
            {
                order.Add(key);
            }

            raw[key] = (value, origin);
        }

        if (sources.PropertiesFile is { } path)
        {
            string text = string.Empty;
            try
            {
                text = File.ReadAllText(path, Encoding.UTF8);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                errors.Add(new ConfigError(path, ConfigErrorKind.Malformed, $"Cannot read the properties file: {e.Message}"));
            }

            IReadOnlyList<PropertiesEntry> entries = JavaProperties.Parse(text, out string? parseError);
            string fileName = Path.GetFileName(path);
            if (parseError is not null)
            {
                errors.Add(new ConfigError(path, ConfigErrorKind.Malformed, parseError, fileName));
            }

            foreach (PropertiesEntry entry in entries)
            {
                Put(entry.Key, entry.Value, $"{fileName}:{entry.Line.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (sources.Environment is { } environment)
        {
            var names = new List<string>();
            foreach (string name in environment.Keys)
            {
                if (name.StartsWith(BrokerConfigSources.EnvironmentPrefix, StringComparison.Ordinal))
                {
                    names.Add(name);
                }
            }

            names.Sort(StringComparer.Ordinal);
            foreach (string name in names)
            {
                Put(BrokerConfigSources.KeyFromEnvironmentVariable(name), environment[name], $"environment variable {name}");
            }
        }

        foreach (string argument in sources.OverrideArguments)
        {
            int equals = argument.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || argument[..equals].Trim().Length == 0)
            {
                errors.Add(new ConfigError(argument, ConfigErrorKind.Malformed, "An override must have the form key=value", "--override"));
                continue;
            }

            Put(argument[..equals].Trim(), argument[(equals + 1)..], "--override");
        }

        foreach (KeyValuePair<string, string> pair in sources.Overrides)
        {
            Put(pair.Key, pair.Value ?? string.Empty, "options");
        }

        var statics = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (string key in order)
        {
            (string value, string origin) = raw[key];
            if (!s_registry.TryGet(key, out ConfigDefinition? definition))
            {
                errors.Add(new ConfigError(key, ConfigErrorKind.UnknownName, s_registry.UnknownNameMessage(key), origin));
            }
            else if (!definition.TryParse(value, out object? parsed, out string? error))
            {
                errors.Add(new ConfigError(key, ConfigErrorKind.InvalidValue, error, origin));
            }
            else
            {
                statics[key] = new ConfigValue(definition, value, parsed, ConfigSource.StaticBrokerConfig, origin);
            }
        }

        var config = new BrokerConfig(
            statics,
            FrozenDictionary<string, ConfigValue>.Empty,
            FrozenDictionary<string, ConfigValue>.Empty);
        errors.AddRange(config._crossErrors);
        if (errors.Count > 0)
        {
            throw new ConfigException(errors);
        }

        return config;
    }

    /// <summary>Shorthand for <see cref="Load"/> with only programmatic overrides (tests, embedded use).</summary>
    public static BrokerConfig FromProperties(IReadOnlyDictionary<string, string> properties) =>
        Load(new BrokerConfigSources { Overrides = properties });

    /// <summary>Builds a snapshot with replaced dynamic layers; <paramref name="errors"/> receives cross-key problems.</summary>
    internal BrokerConfig WithDynamicLayers(
        FrozenDictionary<string, ConfigValue> dynamicDefault,
        FrozenDictionary<string, ConfigValue> dynamicBroker,
        List<ConfigError> errors)
    {
        var config = new BrokerConfig(_static, dynamicDefault, dynamicBroker);
        errors.AddRange(config._crossErrors);
        return config;
    }

    internal FrozenDictionary<string, ConfigValue> DynamicDefaultLayer => _dynamicDefault;

    internal FrozenDictionary<string, ConfigValue> DynamicBrokerLayer => _dynamicBroker;

    /// <summary>The values set dynamically as cluster-wide defaults (empty resource name).</summary>
    public IReadOnlyDictionary<string, ConfigValue> DynamicDefaultValues => _dynamicDefault;

    /// <summary>The values set dynamically for this broker.</summary>
    public IReadOnlyDictionary<string, ConfigValue> DynamicBrokerValues => _dynamicBroker;

    /// <summary>The values set in <c>server.properties</c>, the environment or overrides.</summary>
    public IReadOnlyDictionary<string, ConfigValue> StaticValues => _static;

    /// <summary>The winning value of every config, in registry order.</summary>
    public IEnumerable<ConfigValue> Values
    {
        get
        {
            foreach (ConfigDefinition definition in s_registry.Definitions)
            {
                yield return _effective[definition.Name];
            }
        }
    }

    /// <summary>The winning values that are not defaults (what to log at startup).</summary>
    public IEnumerable<ConfigValue> ExplicitValues
    {
        get
        {
            foreach (ConfigValue value in Values)
            {
                if (value.Source != ConfigSource.DefaultConfig)
                {
                    yield return value;
                }
            }
        }
    }

    /// <summary>The winning value of <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> for an unknown name.</summary>
    public ConfigValue Get(string name) =>
        _effective.TryGetValue(name, out ConfigValue? value) ? value : throw new KeyNotFoundException(s_registry.UnknownNameMessage(name));

    /// <summary>The value <paramref name="name"/> has in one layer, if that layer sets it.</summary>
    public bool TryGetLayerValue(string name, ConfigSource layer, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConfigValue? value)
    {
        switch (layer)
        {
            case ConfigSource.DynamicBrokerConfig:
                return _dynamicBroker.TryGetValue(name, out value);
            case ConfigSource.DynamicDefaultBrokerConfig:
                return _dynamicDefault.TryGetValue(name, out value);
            case ConfigSource.StaticBrokerConfig:
                return _static.TryGetValue(name, out value);
            case ConfigSource.DefaultConfig:
                if (s_registry.TryGet(name, out ConfigDefinition? definition) && definition.Default is not null)
                {
                    value = new ConfigValue(definition, definition.DefaultString, definition.Default, ConfigSource.DefaultConfig, "default");
                    return true;
                }

                break;
        }

        value = null;
        return false;
    }

    /// <summary>Lists the explicitly set values, secrets hidden.</summary>
    public override string ToString() => string.Join(Environment.NewLine, ExplicitValues);

    private ConfigValue Winner(ConfigDefinition definition)
    {
        if (_dynamicBroker.TryGetValue(definition.Name, out ConfigValue? value) ||
            _dynamicDefault.TryGetValue(definition.Name, out value) ||
            _static.TryGetValue(definition.Name, out value))
        {
            return value;
        }

        return new ConfigValue(definition, definition.DefaultString, definition.Default, ConfigSource.DefaultConfig, "default");
    }

    // node.id and broker.id are synonyms (Kafka's KafkaConfig.populateSynonyms): whichever is set
    // supplies the other, and both set to different values is an error.
    private void ResolveNodeId(Dictionary<string, ConfigValue> effective)
    {
        ConfigValue nodeId = effective[BrokerConfigs.NodeId];
        ConfigValue brokerId = effective[BrokerConfigs.BrokerId];
        bool nodeIdSet = nodeId.Source != ConfigSource.DefaultConfig;
        bool brokerIdSet = brokerId.Source != ConfigSource.DefaultConfig;
        if (nodeIdSet && brokerIdSet)
        {
            if (!Equals(nodeId.Value, brokerId.Value))
            {
                _crossErrors.Add(new ConfigError(BrokerConfigs.NodeId, ConfigErrorKind.InvalidValue,
                    $"You must set `{BrokerConfigs.NodeId}` to the same value as `{BrokerConfigs.BrokerId}` ({nodeId.ValueString} and {brokerId.ValueString} differ).",
                    nodeId.Origin));
            }
        }
        else if (brokerIdSet)
        {
            effective[BrokerConfigs.NodeId] = nodeId with { RawValue = brokerId.RawValue, Value = brokerId.Value, Source = brokerId.Source, Origin = brokerId.Origin };
        }
        else
        {
            effective[BrokerConfigs.BrokerId] = brokerId with { Value = nodeId.Value, RawValue = nodeId.ValueString, Origin = BrokerConfigs.NodeId };
        }
    }
}
