using System.Globalization;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// The consumer properties <c>runnel perf consume --wire</c> honours, with librdkafka's names and
/// defaults (it stands in for librdkafka's consumer in the same run). Any other property is refused by
/// name: a setting the fetch loop silently ignored would make a measurement lie.
/// </summary>
/// <param name="BootstrapServers">Where the Metadata request goes (tried in order).</param>
/// <param name="ClientId">The request headers' client id.</param>
/// <param name="FetchWaitMaxMs">The Fetch request's max wait: how long the broker may hold it for <paramref name="FetchMinBytes"/>.</param>
/// <param name="FetchMinBytes">The Fetch request's min bytes.</param>
/// <param name="FetchMaxBytes">The Fetch request's max bytes (the whole response).</param>
/// <param name="MaxPartitionFetchBytes">Each partition's max bytes.</param>
/// <param name="CheckCrcs">Verify every batch's CRC-32C, as <c>check.crcs</c>.</param>
/// <param name="ReadCommitted">Isolation level read_committed (skip aborted transactions, stop at the last stable offset).</param>
/// <param name="SocketTimeoutMs">Bound on connecting and on each request's answer.</param>
internal sealed record WireConsumerOptions(
    IReadOnlyList<BrokerAddress> BootstrapServers,
    string ClientId,
    int FetchWaitMaxMs,
    int FetchMinBytes,
    int FetchMaxBytes,
    int MaxPartitionFetchBytes,
    bool CheckCrcs,
    bool ReadCommitted,
    int SocketTimeoutMs)
{
    public const string DefaultClientId = "runnel-perf-consume";

    private const string BootstrapServersKey = "bootstrap.servers";
    private const string ClientIdKey = "client.id";
    private const string FetchWaitMaxMsKey = "fetch.wait.max.ms";
    private const string FetchMinBytesKey = "fetch.min.bytes";
    private const string FetchMaxBytesKey = "fetch.max.bytes";
    private const string MaxPartitionFetchBytesKey = "max.partition.fetch.bytes";
    private const string CheckCrcsKey = "check.crcs";
    private const string IsolationLevelKey = "isolation.level";
    private const string SocketTimeoutMsKey = "socket.timeout.ms";
    private const string NagleDisableKey = "socket.nagle.disable";

    private static readonly string[] s_supported =
    [
        BootstrapServersKey, CheckCrcsKey, ClientIdKey, FetchMaxBytesKey, FetchMinBytesKey, FetchWaitMaxMsKey,
        IsolationLevelKey, MaxPartitionFetchBytesKey, NagleDisableKey, SocketTimeoutMsKey,
    ];

    /// <summary>Reads the options from the tool's merged librdkafka-style properties; every problem is reported in one <see cref="ToolException"/>.</summary>
    /// <param name="config">The consumer's properties.</param>
    /// <param name="option">The command-line switch that chose the wire consumer, for the error messages.</param>
    /// <param name="defaultClientId">The client id when <c>client.id</c> is not set.</param>
    public static WireConsumerOptions From(IReadOnlyDictionary<string, string> config, string option = "--wire", string defaultClientId = DefaultClientId)
    {
        List<string> errors = [];
        foreach ((string key, string value) in config.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            string? problem = key switch
            {
                BootstrapServersKey => BrokerAddress.TryParseList(value, out _, out string? error) ? null : error,
                ClientIdKey => value.Length == 0 ? "client.id must not be empty." : null,
                FetchWaitMaxMsKey => ValidateInt(key, value, 0, 300_000),
                FetchMinBytesKey => ValidateInt(key, value, 1, 100_000_000),
                FetchMaxBytesKey or MaxPartitionFetchBytesKey => ValidateInt(key, value, 1, 100_000_000),
                SocketTimeoutMsKey => ValidateInt(key, value, 10, 300_000),
                CheckCrcsKey => value is "true" or "false" ? null : $"check.crcs must be true or false (got '{value}').",
                IsolationLevelKey => value is "read_committed" or "read_uncommitted"
                    ? null
                    : $"isolation.level must be read_committed or read_uncommitted (got '{value}').",
                NagleDisableKey => value.Equals("true", StringComparison.OrdinalIgnoreCase)
                    ? null
                    : $"socket.nagle.disable must be true with {option}: the wire consumer always sets TCP_NODELAY.",
                _ => $"Consumer property {key} is not supported with {option} (supported: {string.Join(", ", s_supported)}).",
            };
            if (problem is not null)
            {
                errors.Add(problem);
            }
        }

        if (!BrokerAddress.TryParseList(config.GetValueOrDefault(BootstrapServersKey, KafkaClientOptions.DefaultBootstrapServers), out List<BrokerAddress> servers, out string? serversError)
            && !config.ContainsKey(BootstrapServersKey))
        {
            errors.Add(serversError ?? "bootstrap.servers names no broker.");
        }

        if (errors.Count > 0)
        {
            throw new ToolException("Error: " + string.Join(" ", errors));
        }

        return new WireConsumerOptions(
            servers,
            config.GetValueOrDefault(ClientIdKey, defaultClientId),
            ReadInt(config, FetchWaitMaxMsKey, 500),
            ReadInt(config, FetchMinBytesKey, 1),
            ReadInt(config, FetchMaxBytesKey, 52_428_800),
            ReadInt(config, MaxPartitionFetchBytesKey, 1_048_576),
            config.GetValueOrDefault(CheckCrcsKey) == "true",
            config.GetValueOrDefault(IsolationLevelKey, "read_committed") == "read_committed",
            ReadInt(config, SocketTimeoutMsKey, 60_000));
    }

    private static string? ValidateInt(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? null
            : $"{key} must be a whole number from {min} to {max} (got '{value}').";

    private static int ReadInt(IReadOnlyDictionary<string, string> config, string key, int defaultValue) =>
        config.TryGetValue(key, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : defaultValue;
}
