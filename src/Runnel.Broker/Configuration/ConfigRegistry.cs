using System.Diagnostics.CodeAnalysis;

namespace Runnel.Broker.Configuration;

/// <summary>
/// The declarative list of configs for one scope (<c>broker</c> or <c>topic</c>): lookup by name,
/// enumeration in declaration order, and Kafka's parsing rules. Immutable and thread-safe; the two
/// instances are <see cref="BrokerConfigs.Registry"/> and <see cref="TopicConfigs.Registry"/>.
/// The constructor checks the definitions themselves (unique names, defaults of the right type that
/// pass their validator), so a bad entry fails the first test that touches it.
/// </summary>
public sealed class ConfigRegistry
{
    // A plain dictionary: names are looked up when configs are parsed or described, never per
    // request, and building a frozen one costs the first broker start in a process ~10 ms.
    private readonly Dictionary<string, ConfigDefinition> _byName;

    /// <summary>Builds a registry; <paramref name="scope"/> names it in messages ("Unknown topic config name: x").</summary>
    public ConfigRegistry(string scope, IEnumerable<ConfigDefinition> definitions)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentNullException.ThrowIfNull(definitions);
        Scope = scope;
        var list = new List<ConfigDefinition>();
        var byName = new Dictionary<string, ConfigDefinition>(StringComparer.Ordinal);
        foreach (ConfigDefinition definition in definitions)
        {
            CheckDefinition(definition);
            if (!byName.TryAdd(definition.Name, definition))
            {
                throw new ArgumentException($"Config '{definition.Name}' is defined twice in the {scope} registry.", nameof(definitions));
            }

            list.Add(definition);
        }

        Definitions = list;
        _byName = byName;
    }

    /// <summary>The scope's name, e.g. <c>broker</c> or <c>topic</c>.</summary>
    public string Scope { get; }

    /// <summary>Every definition, in declaration order.</summary>
    public IReadOnlyList<ConfigDefinition> Definitions { get; }

    /// <summary>How many configs the scope has.</summary>
    public int Count => Definitions.Count;

    /// <summary>The definition named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> for an unknown name.</summary>
    public ConfigDefinition this[string name] =>
        _byName.TryGetValue(name, out ConfigDefinition? definition)
            ? definition
            : throw new KeyNotFoundException(UnknownNameMessage(name));

    /// <summary>True when <paramref name="name"/> is a config of this scope.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Looks a definition up by name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out ConfigDefinition? definition) => _byName.TryGetValue(name, out definition);

    /// <summary>
    /// Parses and validates <paramref name="value"/> for config <paramref name="name"/> (see
    /// <see cref="ConfigDefinition.TryParse"/>); an unknown name fails with Kafka's
    /// "Unknown topic config name: x" wording.
    /// </summary>
    public bool TryParse(string name, string value, [NotNullWhen(true)] out object? parsed, [NotNullWhen(false)] out string? error)
    {
        if (!_byName.TryGetValue(name, out ConfigDefinition? definition))
        {
            parsed = null;
            error = UnknownNameMessage(name);
            return false;
        }

        return definition.TryParse(value, out parsed, out error);
    }

    /// <summary>Kafka's wording for a name this scope does not have.</summary>
    public string UnknownNameMessage(string name) => $"Unknown {Scope} config name: {name}";

    private void CheckDefinition(ConfigDefinition definition)
    {
        if (string.IsNullOrWhiteSpace(definition.Name) || string.IsNullOrWhiteSpace(definition.Documentation))
        {
            throw new ArgumentException($"A {Scope} config needs a name and documentation.", nameof(definition));
        }

        if (definition.Default is null)
        {
            return;
        }

        bool typeMatches = definition.Type switch
        {
            ConfigType.Boolean => definition.Default is bool,
            ConfigType.String => definition.Default is string,
            ConfigType.Int => definition.Default is int,
            ConfigType.Short => definition.Default is short,
            ConfigType.Long => definition.Default is long,
            ConfigType.Double => definition.Default is double,
            ConfigType.List => definition.Default is IReadOnlyList<string>,
            _ => false,
        };
        if (!typeMatches)
        {
            throw new ArgumentException($"The default of '{definition.Name}' is not a {definition.Type}.", nameof(definition));
        }

        string? reason = definition.Validator?.Validate(definition.Default);
        if (reason is not null)
        {
            throw new ArgumentException($"The default of '{definition.Name}' is invalid: {reason}.", nameof(definition));
        }
    }
}
