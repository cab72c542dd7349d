using System.Globalization;
using Runnel.Broker.Configuration;
using Runnel.Broker.Metadata;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// DescribeConfigs (key 32), versions 1–4 (Kafka 4.0 removed v0 and its IsDefault, KIP-896).
/// v1 IncludeSynonyms and each entry's ConfigSource and synonyms (KIP-226); v2 same (responses
/// before throttling); v3 IncludeDocumentation and each entry's ConfigType and Documentation
/// (KIP-569); v4 flexible.
/// </summary>
/// <remarks>
/// <para>Follows Kafka's <c>ConfigHelper.describeConfigs</c>. TOPIC: an illegal name is
/// INVALID_TOPIC_EXCEPTION, an unknown topic UNKNOWN_TOPIC_OR_PARTITION, otherwise every topic
/// config with its effective value and source (<see cref="TopicConfigResolver.Describe"/>). BROKER:
/// the empty name describes the dynamic cluster-wide defaults only, this node's id every broker
/// config (<see cref="BrokerConfig.Describe"/>); another id, or a name that is not a number, is
/// INVALID_REQUEST with Kafka's message. BROKER_LOGGER: the name must be this node's id; Runnel
/// exposes no runtime-adjustable loggers (it logs through Microsoft.Extensions.Logging, not log4j),
/// so the list is empty. An empty or null ConfigurationKeys means every config; unknown keys are
/// skipped. Sensitive values are always null.</para>
/// <para>Not supported: GROUP and CLIENT_METRICS resources (INVALID_REQUEST per resource until
/// groups and client metrics exist) and authorization. A resource type Kafka does not know fails
/// the whole request with INVALID_REQUEST, as in Kafka.</para>
/// </remarks>
public sealed class DescribeConfigsHandler : RequestHandler<DescribeConfigsRequest>
{
    private const string InvalidRequestMessage =
        "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.";

    private readonly DynamicBrokerConfig _config;
    private readonly TopicService _topics;
    private readonly int _nodeId;

    public DescribeConfigsHandler(DynamicBrokerConfig config, TopicService topics, int nodeId)
    {
        _config = config;
        _topics = topics;
        _nodeId = nodeId;
    }

    public override ApiKey ApiKey => ApiKey.DescribeConfigs;

    public override short MinVersion => 1;

    public override short MaxVersion => 4;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DescribeConfigsRequest request)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            if (!Enum.IsDefined((ConfigResourceType)resource.ResourceType) || resource.ResourceType == (sbyte)ConfigResourceType.Unknown)
            {
                // Kafka throws InvalidRequestException for the request as a whole here.
                foreach (var r in request.Resources)
                {
                    response.Results.Add(Error(r, ErrorCode.InvalidRequest, InvalidRequestMessage));
                }

                return new ValueTask<IApiMessage?>(response);
            }
        }

        var broker = _config.Current;
        var includeSynonyms = request.IncludeSynonyms;
        var includeDocumentation = context.ApiVersion >= 3 && request.IncludeDocumentation;
        foreach (var resource in request.Resources)
        {
            response.Results.Add(Describe(broker, resource, includeSynonyms, includeDocumentation));
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private DescribeConfigsResponse.DescribeConfigsResult Describe(
        BrokerConfig broker, DescribeConfigsRequest.DescribeConfigsResource resource, bool includeSynonyms, bool includeDocumentation)
    {
        var name = resource.ResourceName;
        IReadOnlyCollection<string>? keys = resource.ConfigurationKeys is { Count: > 0 } requested
            ? new HashSet<string>(requested, StringComparer.Ordinal)
            : null;
        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(name) is { } illegal)
                {
                    return Error(resource, ErrorCode.InvalidTopicException, illegal);
                }

                if (!_topics.Image.TryGetTopic(name, out var topic))
                {
                    return Error(resource, ErrorCode.UnknownTopicOrPartition, null);
                }

                return Result(resource, TopicConfigResolver.Describe(broker, topic.Configs, keys, includeSynonyms, includeDocumentation));

            case ConfigResourceType.Broker:
                if (string.IsNullOrEmpty(name))
                {
                    return Result(resource, broker.Describe(clusterDefault: true, keys, includeSynonyms, includeDocumentation));
                }

                if (ParseBrokerId(name) is not { } brokerId)
                {
                    return Error(resource, ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {name}");
                }

                if (brokerId != _nodeId)
                {
                    return Error(resource, ErrorCode.InvalidRequest, $"Unexpected broker id, expected {_nodeId} or empty string, but received {name}");
                }

                return Result(resource, broker.Describe(clusterDefault: false, keys, includeSynonyms, includeDocumentation));

            case ConfigResourceType.BrokerLogger:
                if (string.IsNullOrEmpty(name))
                {
                    return Error(resource, ErrorCode.InvalidRequest, "Broker id must not be empty");
                }

                if (ParseBrokerId(name) is not { } loggerBrokerId)
                {
                    return Error(resource, ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {name}");
                }

                if (loggerBrokerId != _nodeId)
                {
                    return Error(resource, ErrorCode.InvalidRequest, $"Unexpected broker id, expected {_nodeId} but received {name}");
                }

                return Result(resource, []);

            default:
                return Error(resource, ErrorCode.InvalidRequest, $"Unsupported resource type: {KafkaName((ConfigResourceType)resource.ResourceType)}");
        }
    }

    /// <summary>Java's <c>Integer.parseInt</c>: an optional sign and decimal digits.</summary>
    internal static int? ParseBrokerId(string name) =>
        int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? id : null;

    internal static string KafkaName(ConfigResourceType type) => type switch
    {
        ConfigResourceType.Topic => "TOPIC",
        ConfigResourceType.Broker => "BROKER",
        ConfigResourceType.BrokerLogger => "BROKER_LOGGER",
        ConfigResourceType.ClientMetrics => "CLIENT_METRICS",
        ConfigResourceType.Group => "GROUP",
        _ => "UNKNOWN",
    };

    private static DescribeConfigsResponse.DescribeConfigsResult Result(DescribeConfigsRequest.DescribeConfigsResource resource, IReadOnlyList<DescribedConfig> configs)
    {
        var result = new DescribeConfigsResponse.DescribeConfigsResult
        {
            ResourceType = resource.ResourceType,
            ResourceName = resource.ResourceName,
        };
        foreach (var config in configs)
        {
            var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult
            {
                Name = config.Name,
                Value = config.IsSensitive ? null : config.Value,
                ReadOnly = config.IsReadOnly,
                ConfigSource = (sbyte)config.Source,
                IsSensitive = config.IsSensitive,
                ConfigType = (sbyte)config.Type,
                Documentation = config.Documentation,
            };
            foreach (var synonym in config.Synonyms)
            {
                entry.Synonyms.Add(new DescribeConfigsResponse.DescribeConfigsSynonym
                {
                    Name = synonym.Name,
                    Value = config.IsSensitive ? null : synonym.Value,
                    Source = (sbyte)synonym.Source,
                });
            }

            result.Configs.Add(entry);
        }

        return result;
    }

    private static DescribeConfigsResponse.DescribeConfigsResult Error(DescribeConfigsRequest.DescribeConfigsResource resource, ErrorCode error, string? message) => new()
    {
        ErrorCode = (short)error,
        ErrorMessage = message,
        ResourceType = resource.ResourceType,
        ResourceName = resource.ResourceName,
    };
}
