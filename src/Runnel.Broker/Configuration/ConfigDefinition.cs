using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Runnel.Broker.Configuration;

/// <summary>
/// One config key: Kafka's dotted name, type, typed default, validator, one-sentence documentation,
/// importance, whether it can change at run time, whether it is secret, and for topic configs the
/// broker configs that supply its default. Definitions are immutable and live in a
/// <see cref="ConfigRegistry"/>; everything else (file parsing, <c>--override</c>, DescribeConfigs,
/// AlterConfigs, the reference in <c>docs/configuration.md</c>) is driven from them.
/// </summary>
/// <param name="Name">Kafka's dotted key, e.g. <c>log.segment.bytes</c>; Runnel's own keys start with <c>runnel.</c>.</param>
/// <param name="Type">How values are parsed.</param>
/// <param name="Default">
/// The typed default (<see cref="bool"/>, <see cref="string"/>, <see cref="int"/>, <see cref="short"/>,
/// <see cref="long"/>, <see cref="double"/>, <see cref="IReadOnlyList{T}"/> of string), or null for
/// "no default" (the config is unset unless given).
/// </param>
/// <param name="Documentation">One sentence in Runnel's words.</param>
public sealed record ConfigDefinition(string Name, ConfigType Type, object? Default, string Documentation)
{
    /// <summary>Checks a parsed value beyond its type; null accepts any value of the type.</summary>
    public ConfigValidator? Validator { get; init; }

    /// <summary>How much the config matters to an operator.</summary>
    public ConfigImportance Importance { get; init; } = ConfigImportance.Medium;

    /// <summary>For broker configs: whether AlterConfigs may change it (Kafka's DynamicBrokerConfig classification).</summary>
    public DynamicUpdateMode Dynamic { get; init; } = DynamicUpdateMode.ReadOnly;

    /// <summary>True for secrets: DescribeConfigs returns a null value and logs print <c>[hidden]</c>. Password types are always sensitive.</summary>
    public bool Sensitive
    {
        get => _sensitive || Type == ConfigType.Password;
        init => _sensitive = value;
    }

    /// <summary>For topic configs: the broker configs supplying the default, highest priority first (Kafka's ServerTopicConfigSynonyms).</summary>
    public IReadOnlyList<BrokerSynonym> BrokerSynonyms { get; init; } = [];

    /// <summary>
    /// Why the default differs from Kafka 4.0's, or null when it is Kafka's (style rule: Kafka's
    /// defaults unless a stated reason). Shown in <c>docs/configuration.md</c>.
    /// </summary>
    public string? RunnelDefaultReason { get; init; }

    /// <summary>True for Runnel's own keys (they start with <c>runnel.</c>); Kafka has no such config.</summary>
    public bool IsRunnelSpecific => Name.StartsWith("runnel.", StringComparison.Ordinal);

    /// <summary>The default formatted as a config string, or null when there is no default.</summary>
    public string? DefaultString => Default is null ? null : FormatValue(Type, Default);

    private readonly bool _sensitive;

    /// <summary>
    /// Parses and validates <paramref name="value"/> with Kafka's rules (<c>ConfigDef.parseType</c>):
    /// surrounding whitespace is ignored; booleans are <c>true</c>/<c>false</c> in any case; numbers are
    /// plain decimal (sizes too: no <c>1GB</c> suffixes); lists are comma-separated with each element
    /// trimmed. On failure <paramref name="error"/> reads like Kafka's
    /// "Invalid value X for configuration Y: reason" (a sensitive value prints as <c>[hidden]</c>).
    /// </summary>
    public bool TryParse(string value, [NotNullWhen(true)] out object? parsed, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        string trimmed = value.Trim();
        string? reason = null;
        parsed = null;
        switch (Type)
        {
            case ConfigType.Boolean:
                if (string.Equals(trimmed, "true", StringComparison.OrdinalIgnoreCase))
                {
                    parsed = true;
                }
                else if (string.Equals(trimmed, "false", StringComparison.OrdinalIgnoreCase))
                {
                    parsed = false;
                }
                else
                {
                    reason = "Expected value to be either true or false";
                }

                break;
            case ConfigType.String:
                parsed = trimmed;
                break;
            case ConfigType.Password:
                parsed = new ConfigPassword(trimmed);
                break;
            case ConfigType.Int:
                if (int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i))
                {
                    parsed = i;
                }
                else
                {
                    reason = "Not a number of type INT";
                }

                break;
            case ConfigType.Short:
                if (short.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out short s))
                {
                    parsed = s;
                }
                else
                {
                    reason = "Not a number of type SHORT";
                }

                break;
            case ConfigType.Long:
                if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
                {
                    parsed = l;
                }
                else
                {
                    reason = "Not a number of type LONG";
                }

                break;
            case ConfigType.Double:
                if (trimmed.Length > 0 && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                {
                    parsed = d;
                }
                else
                {
                    reason = "Not a number of type DOUBLE";
                }

                break;
            case ConfigType.List:
                parsed = ParseList(trimmed);
                break;
            default:
                reason = $"Unsupported config type {Type}";
                break;
        }

        if (parsed is not null && Validator is not null)
        {
            reason = Validator.Validate(parsed);
            if (reason is not null)
            {
                parsed = null;
            }
        }

        if (parsed is null)
        {
            error = InvalidValueMessage(value.Trim(), reason);
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Kafka's <c>ConfigException</c> wording for a bad value of this config.</summary>
    internal string InvalidValueMessage(string value, string? reason) =>
        $"Invalid value {(Sensitive ? ConfigPassword.Hidden : value)} for configuration {Name}{(reason is null ? "" : ": " + reason)}";

    /// <summary>
    /// Formats a parsed value as a config string (Kafka's <c>ConfigDef.convertToString</c>): lists are
    /// joined with commas, doubles print like Java's <c>Double.toString</c>, passwords print their secret
    /// (callers hide sensitive values themselves).
    /// </summary>
    public static string? FormatValue(ConfigType type, object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        double d => FormatDouble(d),
        float f => FormatDouble(f),
        IReadOnlyList<string> list => string.Join(",", list),
        ConfigPassword p => p.Value,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>Splits a list value the way Kafka does: trimmed, comma-separated, empty text = empty list.</summary>
    internal static IReadOnlyList<string> ParseList(string value)
    {
        string trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return [];
        }

        string[] parts = trimmed.Split(',');
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = parts[i].Trim();
        }

        return parts;
    }

    private static string FormatDouble(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        string text = d.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            return text.Replace("E+", "E", StringComparison.Ordinal);
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }
}
