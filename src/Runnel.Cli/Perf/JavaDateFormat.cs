using System.Text;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf;

/// <summary>
/// Converts the <c>java.text.SimpleDateFormat</c> patterns kafka-consumer-perf-test takes
/// (<c>--date-format</c>, default <c>yyyy-MM-dd HH:mm:ss:SSS</c>) to .NET custom date format strings.
/// Covers y M d H h m s S a E and quoted text; other pattern letters are rejected.
/// </summary>
internal static class JavaDateFormat
{
    public const string KafkaDefault = "yyyy-MM-dd HH:mm:ss:SSS";

    public static string ToDotNet(string pattern)
    {
        StringBuilder result = new();
        int i = 0;
        while (i < pattern.Length)
        {
            char c = pattern[i];
            if (c == '\'')
            {
                // '' is a literal quote, inside or outside quoted text; 'text' is literal text.
                if (i + 1 < pattern.Length && pattern[i + 1] == '\'')
                {
                    result.Append("\\'");
                    i += 2;
                    continue;
                }

                i++;
                while (true)
                {
                    if (i >= pattern.Length)
                    {
                        throw new ToolException($"Unterminated quote in date format '{pattern}'.");
                    }

                    if (pattern[i] == '\'')
                    {
                        if (i + 1 < pattern.Length && pattern[i + 1] == '\'')
                        {
                            result.Append("\\'");
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    result.Append('\\').Append(pattern[i]);
                    i++;
                }

                continue;
            }

            if (!char.IsAsciiLetter(c))
            {
                result.Append('\\').Append(c);
                i++;
                continue;
            }

            int run = 1;
            while (i + run < pattern.Length && pattern[i + run] == c)
            {
                run++;
            }

            result.Append(c switch
            {
                'y' or 'M' or 'd' or 'H' or 'h' or 'm' or 's' => new string(c, run),
                'S' => new string('f', Math.Min(run, 7)),
                'a' => "tt",
                'E' => run >= 4 ? "dddd" : "ddd",
                _ => throw new ToolException($"Date format letter '{c}' in '{pattern}' is not supported (supported: y M d H h m s S a E)."),
            });
            i += run;
        }

        return result.ToString();
    }
}
