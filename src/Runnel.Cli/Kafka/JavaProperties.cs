using System.Globalization;
using System.Text;

namespace Runnel.Cli.Kafka;

/// <summary>
/// Reads Java <c>.properties</c> files (<c>--command-config</c>, <c>--producer.config</c>,
/// <c>--consumer.config</c>), following <c>java.util.Properties.load</c>: <c>#</c> and <c>!</c>
/// comments, <c>key=value</c>, <c>key:value</c> or <c>key value</c>, a trailing backslash continues
/// the line, and <c>\t \n \r \f \uXXXX</c> escapes.
/// </summary>
internal static class JavaProperties
{
    public static Dictionary<string, string> Load(string path)
    {
        try
        {
            using StreamReader reader = new(path, Encoding.UTF8);
            return Parse(reader);
        }
        catch (IOException e)
        {
            throw new ToolException($"Cannot read properties file '{path}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ToolException($"Cannot read properties file '{path}': {e.Message}", e);
        }
    }

    public static Dictionary<string, string> Parse(TextReader reader)
    {
        Dictionary<string, string> result = new(StringComparer.Ordinal);
        StringBuilder logical = new();
        string? line;
        bool continuing = false;
        while ((line = reader.ReadLine()) is not null)
        {
            string trimmed = line.TrimStart(' ', '\t', '\f');
            if (!continuing)
            {
                if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed[0] == '!')
                {
                    continue;
                }

                logical.Clear();
            }

            // An odd number of trailing backslashes continues the logical line.
            int trailing = 0;
            for (int i = trimmed.Length - 1; i >= 0 && trimmed[i] == '\\'; i--)
            {
                trailing++;
            }

            continuing = trailing % 2 == 1;
            logical.Append(continuing ? trimmed.AsSpan(0, trimmed.Length - 1) : trimmed);
            if (!continuing)
            {
                AddLogicalLine(logical.ToString(), result);
            }
        }

        if (continuing)
        {
            AddLogicalLine(logical.ToString(), result);
        }

        return result;
    }

    private static void AddLogicalLine(string line, Dictionary<string, string> result)
    {
        int keyEnd = 0;
        while (keyEnd < line.Length)
        {
            char c = line[keyEnd];
            if (c == '\\')
            {
                keyEnd += 2;
                continue;
            }

            if (c is '=' or ':' or ' ' or '\t' or '\f')
            {
                break;
            }

            keyEnd++;
        }

        keyEnd = Math.Min(keyEnd, line.Length);
        int valueStart = keyEnd;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
        {
            valueStart++;
        }

        if (valueStart < line.Length && line[valueStart] is '=' or ':')
        {
            valueStart++;
            while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
            {
                valueStart++;
            }
        }

        result[Unescape(line.AsSpan(0, keyEnd))] = Unescape(line.AsSpan(valueStart));
    }

    private static string Unescape(ReadOnlySpan<char> text)
    {
        if (!text.Contains('\\'))
        {
            return text.ToString();
        }

        StringBuilder builder = new(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\\' || i == text.Length - 1)
            {
                builder.Append(c);
                continue;
            }

            char next = text[++i];
            switch (next)
            {
                case 't': builder.Append('\t'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 'f': builder.Append('\f'); break;
                case 'u' when i + 4 < text.Length
                    && ushort.TryParse(text.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort code):
                    builder.Append((char)code);
                    i += 4;
                    break;
                default: builder.Append(next); break;
            }
        }

        return builder.ToString();
    }
}
