using System.Globalization;
using System.Text;

namespace Runnel.Broker.Configuration;

/// <summary>
/// Generates <c>docs/configuration.md</c> from the registries, so the reference cannot drift from
/// the code: a unit test regenerates it and fails when the committed file differs.
/// </summary>
public static class ConfigReference
{
    /// <summary>The complete Markdown document, with <c>\n</c> line endings.</summary>
    public static string GenerateMarkdown()
    {
        var md = new StringBuilder();
        md.Append("""
            # Configuration reference

            <!-- Generated from src/Runnel.Broker/Configuration (BrokerConfigs, TopicConfigs) by
                 ConfigReference.GenerateMarkdown(). Do not edit by hand: change the registry and run the
                 Runnel.Broker.Tests suite, whose ConfigReferenceTests rewrite this file when it is stale. -->

            Runnel uses Kafka's configuration names, types and defaults. A default differs from Kafka 4.0's
            only where this reference says why (the entries marked **Runnel default**), and keys starting
            with `runnel.` are Runnel's own. Kafka broker keys that Runnel does not act on are left out,
            so setting one fails at startup rather than being silently ignored.

            ## Supplying broker configuration

            The broker's configuration is built from these inputs; a later one replaces an earlier one key
            by key:

            1. the defaults below;
            2. a `server.properties` file (Java properties syntax: `#` or `!` comments, `key=value` or
               `key: value`, backslash escapes and line continuations);
            3. environment variables: `RUNNEL_` followed by the key upper-cased with dots replaced by
               underscores, e.g. `RUNNEL_LOG_DIRS=/var/lib/runnel` sets `log.dirs`. Every `RUNNEL_`
               variable must name a known key. Only the `runnel` CLI reads the environment; an embedded
               broker does not;
            4. `--override key=value` arguments, as `kafka-server-start.sh` takes them;
            5. programmatic options (the embedded broker's options, the CLI's `--listen` and `--data-dir`).

            Values follow Kafka's parsing rules: surrounding whitespace is ignored, booleans are `true` or
            `false` in any case, numbers are plain decimals (sizes are bytes, with no `KB`/`MB` suffixes),
            lists are comma-separated. Unlike Kafka, which ignores unknown keys, Runnel refuses to start on an
            unknown key or an invalid value, and reports every bad key, the reason and where the value came
            from in one error.

            DescribeConfigs reports each value's source with Kafka's ids: `DYNAMIC_TOPIC_CONFIG` (1, a
            topic override), `DYNAMIC_BROKER_CONFIG` (2), `DYNAMIC_DEFAULT_BROKER_CONFIG` (3),
            `STATIC_BROKER_CONFIG` (4, any of inputs 2–5) and `DEFAULT_CONFIG` (5).

            ## Dynamic broker configuration

            The *Dynamic* column follows Kafka's classification. `per-broker` keys may be changed with
            AlterConfigs / IncrementalAlterConfigs on the broker resource named after the node id;
            `cluster-wide` keys also on the cluster-default resource (empty name); `read-only` keys only by
            restarting with new static configuration. Dynamic values are held in memory and are not yet
            persisted: they are lost when the broker restarts.

            ## Topic configuration

            A topic stores only the configs set on it (CreateTopics, AlterConfigs,
            IncrementalAlterConfigs). Every other topic config takes its value from the first broker config
            in its *Broker default from* column that has a value (explicit or default), converted to the
            topic's unit, and failing that from the topic default shown.

            ## Broker configs


            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        md.Append("| Name | Type | Default | Valid values | Dynamic | Description |\n");
        md.Append("|---|---|---|---|---|---|\n");
        foreach (ConfigDefinition definition in BrokerConfigs.Registry.Definitions)
        {
            md.Append("| `").Append(definition.Name).Append("` | ")
                .Append(TypeName(definition.Type)).Append(" | ")
                .Append(DefaultCell(definition)).Append(" | ")
                .Append(Escape(definition.Validator?.Description ?? string.Empty)).Append(" | ")
                .Append(DynamicName(definition.Dynamic)).Append(" | ")
                .Append(Description(definition)).Append(" |\n");
        }

        md.Append("\n## Topic configs\n\n");
        md.Append("| Name | Type | Default | Valid values | Broker default from | Description |\n");
        md.Append("|---|---|---|---|---|---|\n");
        foreach (ConfigDefinition definition in TopicConfigs.Registry.Definitions)
        {
            var synonyms = new List<string>();
            foreach (BrokerSynonym synonym in definition.BrokerSynonyms)
            {
                synonyms.Add("`" + synonym.Name + "`");
            }

            md.Append("| `").Append(definition.Name).Append("` | ")
                .Append(TypeName(definition.Type)).Append(" | ")
                .Append(DefaultCell(definition)).Append(" | ")
                .Append(Escape(definition.Validator?.Description ?? string.Empty)).Append(" | ")
                .Append(synonyms.Count == 0 ? "—" : string.Join(", ", synonyms)).Append(" | ")
                .Append(Description(definition)).Append(" |\n");
        }

        return md.ToString();
    }

    private static string Description(ConfigDefinition definition) =>
        definition.RunnelDefaultReason is null
            ? Escape(definition.Documentation)
            : Escape(definition.Documentation) + " **Runnel default:** " + Escape(definition.RunnelDefaultReason);

    private static string TypeName(ConfigType type) => type switch
    {
        ConfigType.Boolean => "boolean",
        ConfigType.String => "string",
        ConfigType.Int => "int",
        ConfigType.Short => "short",
        ConfigType.Long => "long",
        ConfigType.Double => "double",
        ConfigType.List => "list",
        _ => "password",
    };

    private static string DynamicName(DynamicUpdateMode mode) => mode switch
    {
        DynamicUpdateMode.PerBroker => "per-broker",
        DynamicUpdateMode.ClusterWide => "cluster-wide",
        _ => "read-only",
    };

    private static string DefaultCell(ConfigDefinition definition)
    {
        string? text = definition.DefaultString;
        if (text is null)
        {
            return "*(none)*";
        }

        if (text.Length == 0)
        {
            return "\"\"";
        }

        string cell = "`" + text.Replace("|", "\\|", StringComparison.Ordinal) + "`";
        string? unit = HumanUnit(definition.Name, definition.Default);
        return unit is null ? cell : cell + " (" + unit + ")";
    }

    // Adds "7 days" or "1 GiB" next to round millisecond and byte defaults, as Kafka's reference does.
    private static string? HumanUnit(string name, object? value)
    {
        if (value is not (int or long) || Convert.ToInt64(value, CultureInfo.InvariantCulture) is var n && (n <= 0 || n == int.MaxValue || n == long.MaxValue))
        {
            return null;
        }

        long number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        if (name.EndsWith(".ms", StringComparison.Ordinal) && number % 1000 == 0)
        {
            (long Size, string Unit)[] units = [(86_400_000, "day"), (3_600_000, "hour"), (60_000, "minute"), (1000, "second")];
            foreach ((long size, string unit) in units)
            {
                if (number % size == 0)
                {
                    long count = number / size;
                    return count.ToString(CultureInfo.InvariantCulture) + " " + unit + (count == 1 ? string.Empty : "s");
                }
            }
        }

        if ((name.EndsWith(".bytes", StringComparison.Ordinal) || name.EndsWith(".size", StringComparison.Ordinal)) && number >= 1024)
        {
            (long Size, string Unit)[] units = [(1L << 30, "GiB"), (1L << 20, "MiB"), (1L << 10, "KiB")];
            foreach ((long size, string unit) in units)
            {
                if (number % size == 0)
                {
                    return (number / size).ToString(CultureInfo.InvariantCulture) + " " + unit;
                }
            }
        }

        return null;
    }

    // Prose cells: escape the table separator and the emphasis markers (a "*" in "or *" must stay literal).
    private static string Escape(string text) => text
        .Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("*", "\\*", StringComparison.Ordinal);
}
