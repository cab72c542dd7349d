using System.Globalization;
using System.Text;

namespace Runnel.Broker.Configuration;

/// <summary>
/// Reads the <c>java.util.Properties</c> text format that Kafka's <c>server.properties</c> uses:
/// <list type="bullet">
/// <item>lines whose first non-blank character is <c>#</c> or <c>!</c> are comments; blank lines are skipped;</item>
/// <item>a line ending in an odd number of backslashes continues on the next line, whose leading
/// whitespace is dropped (comment lines never continue);</item>
/// <item>the key ends at the first unescaped <c>=</c>, <c>:</c> or whitespace; whitespace around the
/// separator is skipped and one <c>=</c> or <c>:</c> is consumed; the rest of the line is the value;</item>
/// <item>escapes: <c>\t \n \r \f</c>, <c>\uXXXX</c>, and a backslash before any other character
/// stands for that character (<c>\=</c>, <c>\:</c>, <c>\#</c>, <c>\\</c>, <c>\ </c>);</item>
/// <item>a later duplicate key replaces an earlier one (callers see every entry, in order).</item>
/// </list>
/// Java reads the file as ISO-8859-1; Runnel reads UTF-8, which agrees on ASCII and lets non-ASCII
/// text be written directly. A malformed <c>\u</c> escape is reported with its line number.
/// </summary>
public static class JavaProperties
{
    /// <summary>Parses properties text; <paramref name="error"/> describes the first malformed escape, if any.</summary>
    public static IReadOnlyList<PropertiesEntry> Parse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<PropertiesEntry>();
        error = null;
        int position = 0;
        int lineNumber = 0;
        var logical = new StringBuilder();
        while (position < text.Length)
        {
            // Read one natural line.
            int start = position;
            while (position < text.Length && text[position] is not ('\n' or '\r'))
            {
                position++;
            }

            string natural = text[start..position];
            SkipLineTerminator(text, ref position);
            lineNumber++;
            int firstLine = lineNumber;

            string trimmedStart = TrimLeadingWhitespace(natural);
            if (trimmedStart.Length == 0 || trimmedStart[0] is '#' or '!')
            {
                continue;
            }

            // Join continuation lines into one logical line.
            logical.Clear();
            string current = trimmedStart;
            while (EndsWithOddBackslashes(current))
            {
                logical.Append(current, 0, current.Length - 1);
                if (position >= text.Length)
                {
                    current = string.Empty;
                    break;
                }

                start = position;
                while (position < text.Length && text[position] is not ('\n' or '\r'))
                {
                    position++;
                }

                current = TrimLeadingWhitespace(text[start..position]);
                SkipLineTerminator(text, ref position);
                lineNumber++;
            }

            logical.Append(current);
            string line = logical.ToString();
            logical.Clear();

            if (!TrySplit(line, out string key, out string value, out string? escapeError))
            {
                error ??= $"line {firstLine.ToString(CultureInfo.InvariantCulture)}: {escapeError}";
                continue;
            }

            entries.Add(new PropertiesEntry(key, value, firstLine));
        }

        return entries;
    }

    private static void SkipLineTerminator(string text, ref int position)
    {
        if (position < text.Length && text[position] == '\r')
        {
            position++;
        }

        if (position < text.Length && text[position] == '\n')
        {
            position++;
        }
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\f';

    private static string TrimLeadingWhitespace(string s)
    {
        int i = 0;
        while (i < s.Length && IsWhitespace(s[i]))
        {
            i++;
        }

        return s[i..];
    }

    private static bool EndsWithOddBackslashes(string s)
    {
        int count = 0;
        for (int i = s.Length - 1; i >= 0 && s[i] == '\\'; i--)
        {
            count++;
        }

        return count % 2 == 1;
    }

    private static bool TrySplit(string line, out string key, out string value, out string? error)
    {
        // Find where the key ends: the first unescaped '=', ':' or whitespace.
        int keyEnd = 0;
        bool escaped = false;
        while (keyEnd < line.Length)
        {
            char c = line[keyEnd];
            if (escaped)
            {
                escaped = false;
            }
            else if (c == '\\')
            {
                escaped = true;
            }
            else if (c is '=' or ':' || IsWhitespace(c))
            {
                break;
            }

            keyEnd++;
        }

        int valueStart = keyEnd;
        while (valueStart < line.Length && IsWhitespace(line[valueStart]))
        {
            valueStart++;
        }

        if (valueStart < line.Length && line[valueStart] is '=' or ':')
        {
            valueStart++;
            while (valueStart < line.Length && IsWhitespace(line[valueStart]))
            {
                valueStart++;
            }
        }

        value = string.Empty;
        if (!TryUnescape(line[..keyEnd], out key, out error))
        {
            return false;
        }

        return TryUnescape(line[valueStart..], out value, out error);
    }

    private static bool TryUnescape(string s, out string result, out string? error)
    {
        error = null;
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            result = s;
            return true;
        }

        var builder = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (++i >= s.Length)
            {
                // A lone trailing backslash (only possible at the end of the file) stands for nothing, as in Java.
                break;
            }

            c = s[i];
            switch (c)
            {
                case 't':
                    builder.Append('\t');
                    break;
                case 'n':
                    builder.Append('\n');
                    break;
                case 'r':
                    builder.Append('\r');
                    break;
                case 'f':
                    builder.Append('\f');
                    break;
                case 'u':
                    if (s.Length - i - 1 < 4 ||
                        !int.TryParse(s.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                    {
                        result = string.Empty;
                        error = "Malformed \\uxxxx encoding.";
                        return false;
                    }

                    builder.Append((char)code);
                    i += 4;
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        result = builder.ToString();
        return true;
    }
}
