using System.CommandLine.Parsing;

namespace Runnel.Cli.Kafka;

/// <summary>
/// Parses <c>key=value</c> command-line arguments (<c>--property</c>, <c>--config</c>, <c>-X</c>,
/// <c>--producer-props</c>) the way Kafka's <c>CommandLineUtils.parseKeyValueArgs</c> does: split at
/// the first <c>=</c>, so values may themselves contain <c>=</c>; later keys override earlier ones.
/// </summary>
internal static class KeyValueArguments
{
    public static bool TryParse(string argument, out string key, out string value)
    {
        int equals = argument.IndexOf('=');
        if (equals <= 0)
        {
            key = string.Empty;
            value = string.Empty;
            return false;
        }

        key = argument[..equals].Trim();
        value = argument[(equals + 1)..];
        return key.Length > 0;
    }

    /// <summary>Parses every argument into <paramref name="target"/>; throws on one without <c>=</c>.</summary>
    public static void ParseInto(IEnumerable<string>? arguments, IDictionary<string, string> target)
    {
        if (arguments is null)
        {
            return;
        }

        foreach (string argument in arguments)
        {
            if (!TryParse(argument, out string key, out string value))
            {
                throw new ToolException($"Invalid argument '{argument}': expected key=value.");
            }

            target[key] = value;
        }
    }

    public static Dictionary<string, string> Parse(IEnumerable<string>? arguments)
    {
        Dictionary<string, string> result = new(StringComparer.Ordinal);
        ParseInto(arguments, result);
        return result;
    }

    /// <summary>An option validator that reports every argument lacking <c>key=value</c> shape as a parse error.</summary>
    public static void Validate(OptionResult result)
    {
        foreach (Token token in result.Tokens)
        {
            if (!TryParse(token.Value, out _, out _))
            {
                result.AddError($"Invalid argument '{token.Value}' for {result.Option.Name}: expected key=value.");
            }
        }
    }

    /// <summary>
    /// Turns the escapes a shell makes awkward to type (<c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\\</c>) into
    /// the characters they name. Used for separator properties, so <c>key.separator=\t</c> means a tab.
    /// </summary>
    public static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c != '\\' || i == value.Length - 1)
            {
                builder.Append(c);
                continue;
            }

            char next = value[++i];
            switch (next)
            {
                case 't': builder.Append('\t'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case '\\': builder.Append('\\'); break;
                default: builder.Append('\\').Append(next); break;
            }
        }

        return builder.ToString();
    }
}
