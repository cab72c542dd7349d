using System.Globalization;
using System.Text.RegularExpressions;

namespace Runnel.Cli.Groups;

/// <summary>
/// The datetime format of kafka-consumer-groups.sh <c>--to-datetime</c> (Kafka's
/// <c>Utils.getDateTime</c>): <c>yyyy-MM-ddTHH:mm:ss.SSS</c> with an optional zone, <c>Z</c>,
/// <c>±hh</c>, <c>±hhmm</c> or <c>±hh:mm</c>. Without a zone the time is UTC, as Kafka appends "Z".
/// </summary>
internal static partial class KafkaDateTime
{
    public const string Format = "yyyy-MM-ddTHH:mm:ss.SSS[Z|±hh:mm]";

    /// <summary>Parses a datetime the command line's validator has already accepted.</summary>
    public static long Parse(string text) =>
        TryParse(text, out long unixTimeMilliseconds) ? unixTimeMilliseconds : throw new FormatException($"'{text}' is not of the form {Format}.");

    /// <summary>Parses <paramref name="text"/> into Unix milliseconds; false when it is not in <see cref="Format"/> or not a real date.</summary>
    public static bool TryParse(string text, out long unixTimeMilliseconds)
    {
        unixTimeMilliseconds = 0;
        Match match = Pattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        TimeSpan offset = TimeSpan.Zero;
        Group zone = match.Groups["zone"];
        if (zone.Success && zone.Value != "Z")
        {
            int hours = Number(zone.Value.AsSpan(1, 2));
            int minutes = zone.Value.Length > 3 ? Number(zone.Value.AsSpan(zone.Value.Length - 2)) : 0;
            if (hours > 18 || minutes > 59)
            {
                return false;
            }

            offset = new TimeSpan(hours, minutes, 0);
            if (zone.Value[0] == '-')
            {
                offset = offset.Negate();
            }
        }

        int year = Number(match.Groups["year"].ValueSpan);
        int month = Number(match.Groups["month"].ValueSpan);
        int day = Number(match.Groups["day"].ValueSpan);
        int hour = Number(match.Groups["hour"].ValueSpan);
        int minute = Number(match.Groups["minute"].ValueSpan);
        int second = Number(match.Groups["second"].ValueSpan);
        int millisecond = Number(match.Groups["millisecond"].ValueSpan);

        // Kafka parses strictly (setLenient(false)): 2024-02-30 or 25:00 are errors, not rolled over.
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        unixTimeMilliseconds = new DateTimeOffset(year, month, day, hour, minute, second, millisecond, offset).ToUnixTimeMilliseconds();
        return true;
    }

    private static int Number(ReadOnlySpan<char> digits) => int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})\.(?<millisecond>\d{3})(?<zone>Z|[+-]\d{2}(?::?\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
