using Confluent.Kafka.Admin;

namespace Runnel.Cli.Kafka;

/// <summary>
/// The <c>--add-config</c>/<c>--delete-config</c> syntax of kafka-configs.sh: <c>k1=v1,k2=[a,b],k3=v3</c>
/// (commas separate entries; square brackets group a list value, whose commas stay in the value) and
/// <c>k1,k2</c>. Each token may hold one or many entries, and the options repeat.
/// </summary>
internal static class ConfigArguments
{
    /// <summary>Parses one <c>--add-config</c> token into <paramref name="target"/>.</summary>
    public static bool TryParseAddConfig(string token, List<KeyValuePair<string, string>> target, out string? problem)
    {
        foreach (string entry in SplitTopLevel(token))
        {
            int equals = entry.IndexOf('=');
            if (equals <= 0)
            {
                problem = $"Invalid entry '{entry}' in --add-config: expected key=value (use key=[a,b] for a value with commas).";
                return false;
            }

            string value = entry[(equals + 1)..];
            if (value.Length >= 2 && value[0] == '[' && value[^1] == ']')
            {
                value = value[1..^1];
            }

            target.Add(new(entry[..equals].Trim(), value));
        }

        problem = null;
        return true;
    }

    /// <summary>The IncrementalAlterConfigs operations for the given options: SET for each added, DELETE for each removed key.</summary>
    public static List<ConfigEntry> BuildChanges(string[]? addConfig, string[]? deleteConfig)
    {
        List<KeyValuePair<string, string>> added = [];
        foreach (string token in addConfig ?? [])
        {
            if (!TryParseAddConfig(token, added, out string? problem))
            {
                throw new ToolException(problem!);
            }
        }

        List<ConfigEntry> changes = [];
        foreach (KeyValuePair<string, string> entry in added)
        {
            changes.Add(new ConfigEntry { Name = entry.Key, Value = entry.Value, IncrementalOperation = AlterConfigOpType.Set });
        }

        foreach (string token in deleteConfig ?? [])
        {
            foreach (string key in token.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                changes.Add(new ConfigEntry { Name = key, IncrementalOperation = AlterConfigOpType.Delete });
            }
        }

        return changes;
    }

    /// <summary>Splits at commas that are not inside square brackets; empty entries are dropped.</summary>
    internal static List<string> SplitTopLevel(string text)
    {
        List<string> parts = [];
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '[': depth++; break;
                case ']': depth = Math.Max(0, depth - 1); break;
                case ',' when depth == 0:
                    AddPart(text, start, i, parts);
                    start = i + 1;
                    break;
            }
        }

        AddPart(text, start, text.Length, parts);
        return parts;
    }

    private static void AddPart(string text, int start, int end, List<string> parts)
    {
        string part = text[start..end].Trim();
        if (part.Length > 0)
        {
            parts.Add(part);
        }
    }
}
