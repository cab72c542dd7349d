using System.Globalization;
using System.Text.RegularExpressions;

namespace Runnel.Cli.Groups;

/// <summary>
/// The duration format of kafka-consumer-groups.sh <c>--by-duration</c>, Java's <c>Duration.parse</c>:
/// <c>PnDTnHnMn.nS</c>, each part optional but at least one present, an optional leading sign.
/// </summary>
internal static partial class IsoDuration
{
    /// <summary>Parses a duration the command line's validator has already accepted.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out TimeSpan duration) ? duration : throw new FormatException($"'{text}' is not of the form PnDTnHnMnS.");

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        Match match = Pattern().Match(text);
        if (!match.Success || (!match.Groups["days"].Success && !match.Groups["hours"].Success
            && !match.Groups["minutes"].Success && !match.Groups["seconds"].Success))
        {
            return false;
        }

        // "PT" alone is not a duration in Java either.
        if (match.Groups["time"].Success && !match.Groups["hours"].Success && !match.Groups["minutes"].Success && !match.Groups["seconds"].Success)
        {
            return false;
        }

        try
        {
            TimeSpan total = TimeSpan.FromDays(Part(match, "days"))
                + TimeSpan.FromHours(Part(match, "hours"))
                + TimeSpan.FromMinutes(Part(match, "minutes"))
                + TimeSpan.FromSeconds(Part(match, "seconds"));
            duration = text[0] == '-' ? total.Negate() : total;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static double Part(Match match, string name) =>
        match.Groups[name].Success ? double.Parse(match.Groups[name].ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^[-+]?P(?:(?<days>\d+)D)?(?<time>T(?:(?<hours>\d+)H)?(?:(?<minutes>\d+)M)?(?:(?<seconds>\d+(?:\.\d{1,9})?)S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
