using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Runnel.Broker.Configuration;

/// <summary>
/// One entry of <c>listeners</c> or <c>advertised.listeners</c>: <c>NAME://host:port</c>. The name is
/// upper-cased as Kafka normalises it; an empty host means every interface; port 0 asks the OS for
/// a free port (the network layer then advertises the port it actually bound).
/// </summary>
/// <param name="Name">The listener name, e.g. <c>PLAINTEXT</c>.</param>
/// <param name="Host">Host name or IP literal (without brackets), possibly empty.</param>
/// <param name="Port">0–65535.</param>
/// <param name="SecurityProtocol">From <c>listener.security.protocol.map</c>.</param>
public sealed record ListenerEndpoint(string Name, string Host, int Port, SecurityProtocol SecurityProtocol)
{
    /// <summary>Formats as Kafka writes it, with IPv6 literals in brackets.</summary>
    public override string ToString() =>
        $"{Name}://{(Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Matches one entry the way Kafka's <c>EndPoint.uriParseExp</c>
    /// (<c>^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$</c>) does, by hand: the regex engine's
    /// first use costs the first broker start in a process ~20 ms. The port follows the last colon;
    /// the name ends at the last <c>://</c> before it (a host cannot hold a slash); the host may sit
    /// in brackets, each of them optional as in the pattern.
    /// </summary>
    internal static bool TrySplit(string entry, out string name, out string host, out string port)
    {
        name = host = port = string.Empty;
        int colon = entry.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        ReadOnlySpan<char> portText = entry.AsSpan(colon + 1);
        ReadOnlySpan<char> digits = portText.StartsWith('-') ? portText[1..] : portText;
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        int separator = entry.AsSpan(0, colon).LastIndexOf("://", StringComparison.Ordinal);
        if (separator < 0 || entry.AsSpan(0, separator).Contains('\n'))
        {
            return false;
        }

        ReadOnlySpan<char> hostText = entry.AsSpan(separator + 3, colon - separator - 3);
        if (hostText.StartsWith('['))
        {
            hostText = hostText[1..];
        }

        if (hostText.EndsWith(']'))
        {
            hostText = hostText[..^1];
        }

        foreach (char c in hostText)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '%' or '.' or '_' or ':'))
            {
                return false;
            }
        }

        name = entry[..separator];
        host = hostText.ToString();
        port = portText.ToString();
        return true;
    }

    /// <summary>
    /// Parses a comma-separated listener list into (name, host, port) triples, applying Kafka's rules:
    /// every entry well-formed, ports in range, names distinct, and (when
    /// <paramref name="requireDistinctPorts"/>, as for <c>listeners</c>) no two listeners on one
    /// non-zero port unless one is IPv4 and the other IPv6.
    /// </summary>
    internal static string? TryParseList(string value, bool requireDistinctPorts, out List<(string Name, string Host, int Port)> endpoints)
    {
        endpoints = [];
        foreach (string entry in ConfigDefinition.ParseList(value))
        {
            if (!TrySplit(entry, out string rawName, out string host, out string portText))
            {
                return $"Unable to parse {entry} to a broker endpoint";
            }

            string name = rawName.ToUpperInvariant();
            if (name.Length == 0)
            {
                return $"Unable to parse {entry} to a broker endpoint: the listener name is empty";
            }

            if (!int.TryParse(portText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int port) || port is < 0 or > 65535)
            {
                return $"Invalid port in {entry}: it must be between 0 and 65535";
            }

            foreach ((string otherName, _, _) in endpoints)
            {
                if (otherName == name)
                {
                    return $"Each listener must have a different name, listeners: {value.Trim()}";
                }
            }

            endpoints.Add((name, host, port));
        }

        if (requireDistinctPorts)
        {
            for (int i = 0; i < endpoints.Count; i++)
            {
                for (int j = i + 1; j < endpoints.Count; j++)
                {
                    if (endpoints[i].Port != 0 && endpoints[i].Port == endpoints[j].Port && !IsIpv4AndIpv6(endpoints[i].Host, endpoints[j].Host))
                    {
                        return $"Each listener must have a different port unless one is IPv4 and the other IPv6, listeners: {value.Trim()}";
                    }
                }
            }
        }

        return null;
    }

    private static bool IsIpv4AndIpv6(string first, string second) =>
        IPAddress.TryParse(first, out IPAddress? a) && IPAddress.TryParse(second, out IPAddress? b) &&
        a.AddressFamily != b.AddressFamily &&
        a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 &&
        b.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;

    /// <summary>Parses Kafka's protocol names (<c>PLAINTEXT</c>, <c>SSL</c>, <c>SASL_PLAINTEXT</c>, <c>SASL_SSL</c>).</summary>
    internal static bool TryParseSecurityProtocol(string text, out SecurityProtocol protocol)
    {
        switch (text.Trim().ToUpperInvariant())
        {
            case "PLAINTEXT":
                protocol = SecurityProtocol.Plaintext;
                return true;
            case "SSL":
                protocol = SecurityProtocol.Ssl;
                return true;
            case "SASL_PLAINTEXT":
                protocol = SecurityProtocol.SaslPlaintext;
                return true;
            case "SASL_SSL":
                protocol = SecurityProtocol.SaslSsl;
                return true;
            default:
                protocol = default;
                return false;
        }
    }

    /// <summary>Parses <c>listener.security.protocol.map</c> (<c>NAME:PROTOCOL,...</c>), names upper-cased.</summary>
    internal static string? TryParseProtocolMap(string value, out Dictionary<string, SecurityProtocol> map)
    {
        map = new Dictionary<string, SecurityProtocol>(StringComparer.Ordinal);
        foreach (string entry in ConfigDefinition.ParseList(value))
        {
            int colon = entry.LastIndexOf(':');
            if (colon <= 0 || colon == entry.Length - 1)
            {
                return $"Map entry '{entry}' is not of the form LISTENER_NAME:SECURITY_PROTOCOL";
            }

            string name = entry[..colon].Trim().ToUpperInvariant();
            if (!TryParseSecurityProtocol(entry[(colon + 1)..], out SecurityProtocol protocol))
            {
                return $"Unknown security protocol '{entry[(colon + 1)..].Trim()}' in map entry '{entry}'";
            }

            if (!map.TryAdd(name, protocol))
            {
                return $"Listener name {name} appears more than once in the map";
            }
        }

        return null;
    }
}
