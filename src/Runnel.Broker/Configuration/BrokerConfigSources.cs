using System.Collections;
using System.Collections.Frozen;
using System.Text;

namespace Runnel.Broker.Configuration;

/// <summary>
/// The inputs of <see cref="BrokerConfig.Load"/>, lowest priority first: the registry's defaults,
/// then <see cref="PropertiesFile"/>, then <see cref="Environment"/>, then
/// <see cref="OverrideArguments"/>, then <see cref="Overrides"/>. A later input replaces an
/// earlier one key by key; all of them are Kafka's STATIC_BROKER_CONFIG source.
/// </summary>
public sealed record BrokerConfigSources
{
    /// <summary>Environment variables named <c>RUNNEL_</c> + the key upper-cased with dots as underscores set configs.</summary>
    public const string EnvironmentPrefix = "RUNNEL_";

    /// <summary>A <c>server.properties</c> file in Java properties syntax, or null for none.</summary>
    public string? PropertiesFile { get; init; }

    /// <summary>
    /// Environment variables to read (only those starting with <see cref="EnvironmentPrefix"/> are
    /// looked at; each must map to a known key). Null reads none: embedded brokers and tests are not
    /// affected by the developer's shell. The CLI passes <see cref="ReadProcessEnvironment"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>The values of <c>--override key=value</c> arguments, as typed (like <c>kafka-server-start.sh</c>).</summary>
    public IReadOnlyList<string> OverrideArguments { get; init; } = [];

    /// <summary>
    /// Programmatic overrides applied last: the embedded broker's options and the CLI's shorthands
    /// (<c>--listen</c> becomes <c>listeners</c>, <c>--data-dir</c> becomes <c>log.dirs</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string> Overrides { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>The current process's <c>RUNNEL_*</c> variables.</summary>
    public static IReadOnlyDictionary<string, string> ReadProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal) && entry.Value is string value)
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>The environment variable that sets <paramref name="key"/>: <c>log.dirs</c> → <c>RUNNEL_LOG_DIRS</c>.</summary>
    public static string EnvironmentVariableName(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var name = new StringBuilder(EnvironmentPrefix.Length + key.Length).Append(EnvironmentPrefix);
        foreach (char c in key)
        {
            name.Append(c == '.' ? '_' : char.ToUpperInvariant(c));
        }

        return name.ToString();
    }

    /// <summary>
    /// The key a <c>RUNNEL_*</c> variable sets: <c>RUNNEL_LOG_DIRS</c> → <c>log.dirs</c>. The mapping is
    /// one-to-one because no config key contains an underscore or an upper-case letter.
    /// </summary>
    public static string KeyFromEnvironmentVariable(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (!variable.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{variable}' does not start with {EnvironmentPrefix}.", nameof(variable));
        }

        var key = new StringBuilder(variable.Length - EnvironmentPrefix.Length);
        for (int i = EnvironmentPrefix.Length; i < variable.Length; i++)
        {
            char c = variable[i];
            key.Append(c == '_' ? '.' : char.ToLowerInvariant(c));
        }

        return key.ToString();
    }
}
