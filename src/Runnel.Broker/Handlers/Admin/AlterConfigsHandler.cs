using Runnel.Broker.Configuration;
using Runnel.Broker.Metadata;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// AlterConfigs (key 33), versions 0–2: the legacy API, where a resource's configs replace its
/// whole set of overrides (keys not listed go back to their defaults). v1 same as v0 (responses
/// before throttling); v2 flexible. Deprecated in favour of IncrementalAlterConfigs (KIP-339).
/// </summary>
/// <remarks>
/// <para>Follows Kafka's broker-side <c>ConfigAdminManager.preprocess</c> and then the controller's
/// checks, per resource: a resource named twice fails every occurrence with INVALID_REQUEST; a key
/// given twice or a null value is INVALID_REQUEST. TOPIC: see
/// <see cref="ConfigAlteration.AlterTopicAsync"/> (INVALID_REQUEST for the empty name,
/// INVALID_TOPIC_EXCEPTION, INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION), validated by
/// <see cref="TopicConfigResolver.ValidateAlter"/> and stored by
/// <see cref="TopicService.UpdateTopicConfigsAsync"/>. BROKER: the empty name sets the dynamic
/// cluster-wide defaults, this node's id the per-broker values, through
/// <see cref="DynamicBrokerConfig.Alter"/> (another id, read-only keys and per-broker-only keys at
/// cluster level are INVALID_REQUEST, bad values INVALID_CONFIG); topics then pick up the new
/// defaults. BROKER_LOGGER and every other type are INVALID_REQUEST "Unknown resource type N", as
/// Kafka answers on this legacy API. ValidateOnly checks without changing anything.</para>
/// <para>Not supported: GROUP and CLIENT_METRICS resources, <c>alter.config.policy.class.name</c>
/// policies, authorization. Dynamic broker values are not persisted across restarts yet
/// (see <see cref="DynamicBrokerConfig"/>).</para>
/// </remarks>
public sealed class AlterConfigsHandler : RequestHandler<AlterConfigsRequest>
{
    private readonly DynamicBrokerConfig _config;
    private readonly TopicService _topics;

    public AlterConfigsHandler(DynamicBrokerConfig config, TopicService topics)
    {
        _config = config;
        _topics = topics;
    }

    public override ApiKey ApiKey => ApiKey.AlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, AlterConfigsRequest request)
    {
        var response = new AlterConfigsResponse();
        var duplicates = ConfigAlteration.FindDuplicates(request.Resources.Select(static r => (r.ResourceType, r.ResourceName)));
        foreach (var resource in request.Resources)
        {
            var outcome = duplicates.Contains((resource.ResourceType, resource.ResourceName))
                ? ConfigAlteration.DuplicateResource
                : await AlterAsync(resource, request.ValidateOnly, context.ConnectionClosed);
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = outcome.ErrorCode,
                ErrorMessage = outcome.ErrorMessage,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }

        return response;
    }

    private async ValueTask<ConfigAlteration.Outcome> AlterAsync(AlterConfigsRequest.AlterConfigsResource resource, bool validateOnly, CancellationToken cancellationToken)
    {
        var configs = new List<KeyValuePair<string, string?>>(resource.Configs.Count);
        foreach (var config in resource.Configs)
        {
            configs.Add(new KeyValuePair<string, string?>(config.Name, config.Value));
        }

        var shapeErrors = new List<ConfigError>();
        if (!TopicConfigResolver.CheckRequestShape(configs, static c => c.Key, static c => c.Value is null, shapeErrors))
        {
            return ConfigAlteration.Outcome.Fail((ErrorCode)shapeErrors[0].ErrorCode, shapeErrors[0].Message);
        }

        switch ((ConfigResourceType)resource.ResourceType)
        {
            case ConfigResourceType.Topic:
                var broker = _config.Current;
                return await ConfigAlteration.AlterTopicAsync(
                    _topics,
                    resource.ResourceName,
                    current => TopicConfigResolver.ValidateAlter(broker, current, configs),
                    validateOnly,
                    cancellationToken);

            case ConfigResourceType.Broker:
                return ConfigAlteration.AlterBroker(_topics, () => _config.Alter(resource.ResourceName, configs, validateOnly), validateOnly);

            default:
                return ConfigAlteration.UnknownResourceType(resource.ResourceType);
        }
    }
}
