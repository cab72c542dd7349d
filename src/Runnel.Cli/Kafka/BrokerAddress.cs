using System.Globalization;

namespace Runnel.Cli.Kafka;

/// <summary>A broker's host and port, as <c>bootstrap.servers</c> lists them and Metadata answers them.</summary>
internal readonly record struct BrokerAddress(string Host, int Port)
{
    /// <summary>The port when an entry names none, as librdkafka assumes.</summary>
    public const int DefaultPort = 9092;

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>
    /// Parses a <c>bootstrap.servers</c> list as librdkafka reads it: comma-separated
    /// <c>host[:port]</c> entries, IPv6 hosts in brackets, an optional <c>protocol://</c> prefix
    /// (only plaintext is spoken, so any other protocol is an error).
    /// </summary>
    public static bool TryParseList(string servers, out List<BrokerAddress> addresses, out string? error)
    {
        addresses = [];
        foreach (string raw in servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TryParse(raw, out BrokerAddress address, out error))
            {
                return false;
            }

            addresses.Add(address);
        }

        error = addresses.Count == 0 ? "bootstrap.servers names no broker." : null;
        return error is null;
    }

    private static bool TryParse(string entry, out BrokerAddress address, out string? error)
    {
        address = default;
        string rest = entry;
        int scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            string protocol = rest[..scheme];
            if (!protocol.Equals("PLAINTEXT", StringComparison.OrdinalIgnoreCase))
            {
                error = $"bootstrap.servers entry '{entry}': only PLAINTEXT is spoken, not {protocol}.";
                return false;
            }

            rest = rest[(scheme + 3)..];
        }

        string host = rest;
        string? port = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            string after = close < 0 ? string.Empty : rest[(close + 1)..];
            host = close < 0 || (after.Length > 0 && !after.StartsWith(':')) ? string.Empty : rest[1..close];
            port = after.Length > 0 ? after[1..] : null;
        }
        else if (rest.LastIndexOf(':') is int colon and >= 0)
        {
            host = rest[..colon];
            port = rest[(colon + 1)..];
        }

        int portNumber = DefaultPort;
        if (host.Length == 0 || (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535)))
        {
            error = $"bootstrap.servers entry '{entry}' is not host:port.";
            return false;
        }

        address = new BrokerAddress(host, portNumber);
        error = null;
        return true;
    }
}
