using System.Globalization;
using System.Text.RegularExpressions;

namespace Runnel.Broker.Configuration;

/// <summary>
/// The value of <c>runnel.metrics.listener</c>: empty, or <c>http://host:port</c> with a host name,
/// an IPv4 literal or a bracketed IPv6 literal, and a port from 0 (a free port) to 65535. A path,
/// query or user part is refused rather than ignored: the metrics are always served at
/// <c>/metrics</c>, and a configured path that silently did nothing would mislead.
/// </summary>
internal static partial class MetricsListenerAddress
{
    [GeneratedRegex(@"^http://(?:\[(?<host>[0-9A-Fa-f:.%]+)\]|(?<host>[0-9A-Za-z\-._]+)):(?<port>[0-9]+)/?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AddressPattern();

    private const string Expected = "expected http://host:port (for example http://127.0.0.1:9404; port 0 picks a free port), or empty to serve no metrics";

    /// <summary>
    /// Parses <paramref name="value"/>; returns null when it is valid (then <paramref name="address"/>
    /// is the listener's root URI, or null for empty) and otherwise the reason it is not.
    /// </summary>
    internal static string? TryParse(string value, out Uri? address)
    {
        address = null;
        string trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        int schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && !trimmed[..schemeEnd].Equals("http", StringComparison.OrdinalIgnoreCase))
        {
            return $"the scheme {trimmed[..schemeEnd]} is not served, only http; {Expected}";
        }

        Match match = AddressPattern().Match(trimmed);
        if (!match.Success)
        {
            return Expected;
        }

        if (!int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            return $"the port must be between 0 and 65535; {Expected}";
        }

        address = new UriBuilder(Uri.UriSchemeHttp, match.Groups["host"].Value, port).Uri;
        return null;
    }
}
