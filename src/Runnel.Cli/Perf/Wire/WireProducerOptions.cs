using System.Globalization;
using Runnel.Cli.Kafka;

namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// The producer properties wire producers honour, read from the librdkafka-style map the tool's
/// other producers take. Defaults are the Java producer's where librdkafka's differ (batch.size
/// 16384, max.in.flight.requests.per.connection 5), since the wire producers behave like it; linger.ms
/// defaults to 0 as every producer of <c>runnel perf e2e</c>. Any other property is refused by name:
/// a setting the generator would silently ignore would make a measurement lie.
/// </summary>
/// <param name="BootstrapServers">Where the first Metadata request goes (tried in order).</param>
/// <param name="ClientId">The request headers' client id.</param>
/// <param name="Acks">1, or -1 for all.</param>
/// <param name="LingerMs">How long a producer's oldest unsent record may wait for more before a partial batch goes.</param>
/// <param name="BatchSize">The most bytes of one record batch (header included); a larger single record still goes alone.</param>
/// <param name="MaxInFlight">Unacknowledged requests per connection.</param>
/// <param name="RequestTimeoutMs">The Produce request's timeout, and the bound on the final wait for responses.</param>
internal sealed record WireProducerOptions(
    IReadOnlyList<BrokerAddress> BootstrapServers,
    string ClientId,
    short Acks,
    double LingerMs,
    int BatchSize,
    int MaxInFlight,
    int RequestTimeoutMs)
{
    public const string BootstrapServersKey = "bootstrap.servers";
    public const string ClientIdKey = "client.id";
    public const string AcksKey = "acks";
    public const string LingerMsKey = "linger.ms";
    public const string BatchSizeKey = "batch.size";
    public const string MaxInFlightKey = "max.in.flight.requests.per.connection";
    public const string RequestTimeoutMsKey = "request.timeout.ms";
    public const string NagleDisableKey = "socket.nagle.disable";

    public const string DefaultClientId = "runnel-perf-e2e";
    public const int DefaultBatchSize = 16384;
    public const int DefaultMaxInFlight = 5;
    public const int DefaultRequestTimeoutMs = 30_000;

    /// <summary>librdkafka's bound on linger.ms (15 minutes).</summary>
    private const double MaxLingerMs = 900_000;

    /// <summary>A larger batch could never be sent: Kafka refuses requests above socket.request.max.bytes (100 MiB by default).</summary>
    private const int MaxBatchSize = 100 * 1024 * 1024;

    /// <summary>Every key wire producers read; <c>acks</c> is accepted and, as for every producer of the tool, overridden by --producer-acks.</summary>
    private static readonly string[] s_supported =
        [AcksKey, BatchSizeKey, BootstrapServersKey, ClientIdKey, LingerMsKey, MaxInFlightKey, RequestTimeoutMsKey, NagleDisableKey];

    /// <summary>Reads the options; every problem with <paramref name="config"/> is reported in one <see cref="ToolException"/>.</summary>
    /// <param name="config">The producer's properties (-X, --command-config and --producer-props merged, bootstrap servers set).</param>
    /// <param name="acks">--producer-acks: <c>1</c> or <c>all</c>.</param>
    public static WireProducerOptions From(IReadOnlyDictionary<string, string> config, string acks)
    {
        List<string> errors = Validate(config);
        if (errors.Count > 0)
        {
            throw new ToolException("Error: " + string.Join(" ", errors));
        }

        string bootstrap = config.GetValueOrDefault(BootstrapServersKey, KafkaClientOptions.DefaultBootstrapServers);
        if (!BrokerAddress.TryParseList(bootstrap, out List<BrokerAddress> servers, out string? error))
        {
            throw new ToolException("Error: " + error);
        }

        return new WireProducerOptions(
            servers,
            config.GetValueOrDefault(ClientIdKey, DefaultClientId),
            acks == "1" ? (short)1 : (short)-1,
            config.TryGetValue(LingerMsKey, out string? linger) ? double.Parse(linger, CultureInfo.InvariantCulture) : 0,
            ReadInt(config, BatchSizeKey, DefaultBatchSize),
            ReadInt(config, MaxInFlightKey, DefaultMaxInFlight),
            ReadInt(config, RequestTimeoutMsKey, DefaultRequestTimeoutMs));
    }

    /// <summary>
    /// What is wrong with <paramref name="config"/> for wire producers: each unsupported property by
    /// name, each value out of range. Empty when all is well. Used by the command line (for the
    /// properties it was given) and by <see cref="From"/> (for the merged map).
    /// </summary>
    public static List<string> Validate(IReadOnlyDictionary<string, string> config)
    {
        List<string> errors = [];
        foreach ((string key, string value) in config.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            string? problem = key switch
            {
                AcksKey => null,
                BootstrapServersKey => BrokerAddress.TryParseList(value, out _, out string? error) ? null : error,
                ClientIdKey => value.Length == 0 ? "client.id must not be empty." : null,
                LingerMsKey => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) && ms is >= 0 and <= MaxLingerMs
                    ? null
                    : $"linger.ms must be a number of milliseconds from 0 to {MaxLingerMs} (got '{value}').",
                BatchSizeKey => ValidateInt(key, value, MaxBatchSize),
                MaxInFlightKey or RequestTimeoutMsKey => ValidateInt(key, value, int.MaxValue),
                NagleDisableKey => value.Equals("true", StringComparison.OrdinalIgnoreCase)
                    ? null
                    : "socket.nagle.disable must be true with --wire-producers: they always set TCP_NODELAY.",
                _ => $"Producer property {key} is not supported with --wire-producers (supported: {string.Join(", ", s_supported)}).",
            };
            if (problem is not null)
            {
                errors.Add(problem);
            }
        }

        return errors;
    }

    private static string? ValidateInt(string key, string value, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= max
            ? null
            : $"{key} must be a whole number from 1 to {max} (got '{value}').";

    private static int ReadInt(IReadOnlyDictionary<string, string> config, string key, int defaultValue) =>
        config.TryGetValue(key, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : defaultValue;
}
