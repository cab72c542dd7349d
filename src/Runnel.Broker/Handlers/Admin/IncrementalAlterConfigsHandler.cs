using Runnel.Broker.Configuration;
using Runnel.Broker.Metadata;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// IncrementalAlterConfigs (key 44), versions 0–1 (KIP-339): per key SET, DELETE (back to the
/// default), APPEND and SUBTRACT (list configs only). v1 flexible.
/// </summary>
/// <remarks>
/// <para>Follows Kafka's broker-side <c>ConfigAdminManager.preprocess</c> and the controller's
/// <c>ConfigurationControlManager.incrementalAlterConfigResource</c>, per resource: a resource named
/// twice fails every occurrence with INVALID_REQUEST; a key given twice, or a null value for
/// anything but DELETE, is INVALID_REQUEST; an unknown operation INVALID_REQUEST; APPEND or SUBTRACT
/// on a non-list key INVALID_CONFIG. TOPIC: see <see cref="ConfigAlteration.AlterTopicAsync"/>,
/// validated by <see cref="TopicConfigResolver.ValidateIncrementalAlter"/> and stored by
/// <see cref="TopicService.UpdateTopicConfigsAsync"/>. BROKER: the empty name changes the dynamic
/// cluster-wide defaults, this node's id the per-broker values, through
/// <see cref="DynamicBrokerConfig.IncrementalAlter"/>; topics then pick up the new defaults.
/// BROKER_LOGGER (KIP-412): the name must be this node's id; Runnel has no runtime-adjustable
/// loggers, so SET and DELETE of any logger are INVALID_CONFIG "Logger X does not exist!", APPEND and
/// SUBTRACT INVALID_REQUEST, as Kafka's <c>RuntimeLoggerManager</c> answers. Other types are
/// INVALID_REQUEST "Unknown resource type N". ValidateOnly checks without changing anything.</para>
/// <para>Not supported: GROUP and CLIENT_METRICS resources, <c>alter.config.policy.class.name</c>
/// policies, authorization. Dynamic broker values are not persisted across restarts yet
/// (see <see cref="DynamicBrokerConfig"/>).</para>
/// </remarks>
public sealed class IncrementalAlterConfigsHandler : RequestHandler<IncrementalAlterConfigsRequest>
{
    private readonly DynamicBrokerConfig _config;
    private readonly TopicService _topics;
    private readonly int _nodeId;

    public IncrementalAlterConfigsHandler(DynamicBrokerConfig config, TopicService topics, int nodeId)
    {
        _config = config;
        _topics = topics;
        _nodeId = nodeId;
    }

    public override ApiKey ApiKey => ApiKey.IncrementalAlterConfigs;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, IncrementalAlterConfigsRequest request)
    {
        var response = new IncrementalAlterConfigsResponse();
        var duplicates = ConfigAlteration.FindDuplicates(request.Resources.Select(static r => (r.ResourceType, r.ResourceName)));
        foreach (var resource in request.Resources)
        {
            var outcome = duplicates.Contains((resource.ResourceType, resource.ResourceName))
                ? ConfigAlteration.DuplicateResource
                : await AlterAsync(resource, request.ValidateOnly, context.ConnectionClosed);
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ErrorCode = outcome.ErrorCode,
                ErrorMessage = outcome.ErrorMessage,
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
            });
        }

        return response;
    }

    private async ValueTask<ConfigAlteration.Outcome> AlterAsync(
        IncrementalAlterConfigsRequest.AlterConfigsResource resource, bool validateOnly, CancellationToken cancellationToken)
    {
        var operations = new List<ConfigAlterOperation>(resource.Configs.Count);
        foreach (var config in resource.Configs)
        {
            operations.Add(new ConfigAlterOperation(config.Name, (AlterConfigOpType)(byte)config.ConfigOperation, config.Value));
        }

        var shapeErrors = new List<ConfigError>();
        if (!TopicConfigResolver.CheckRequestShape(operations, static o => o.Name, static o => o.Operation != AlterConfigOpType.Delete && o.Value is null, shapeErrors))
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
                    current => TopicConfigResolver.ValidateIncrementalAlter(broker, current, operations),
                    validateOnly,
                    cancellationToken);

            case ConfigResourceType.Broker:
                return ConfigAlteration.AlterBroker(_topics, () => _config.IncrementalAlter(resource.ResourceName, operations, validateOnly), validateOnly);

            case ConfigResourceType.BrokerLogger:
                return AlterLoggers(resource.ResourceName, operations);

            default:
                return ConfigAlteration.UnknownResourceType(resource.ResourceType);
        }
    }

    /// <summary>Kafka's <c>RuntimeLoggerManager</c> checks against an empty set of loggers.</summary>
    private ConfigAlteration.Outcome AlterLoggers(string resourceName, List<ConfigAlterOperation> operations)
    {
        if (DescribeConfigsHandler.ParseBrokerId(resourceName) is not { } nodeId)
        {
            return ConfigAlteration.Outcome.Fail(ErrorCode.InvalidRequest, $"Node id must be an integer, but it is: {resourceName}");
        }

        if (nodeId != _nodeId)
        {
            return ConfigAlteration.Outcome.Fail(ErrorCode.InvalidRequest, $"Unexpected node id. Expected {_nodeId}, but received {resourceName}");
        }

        if (operations.Count == 0)
        {
            return ConfigAlteration.Outcome.Success;
        }

        // Kafka stops at the first operation that fails; with no loggers to change, that is the first.
        var operation = operations[0];
        return operation.Operation switch
        {
            AlterConfigOpType.Set or AlterConfigOpType.Delete =>
                ConfigAlteration.Outcome.Fail(ErrorCode.InvalidConfig, $"Logger {operation.Name} does not exist!"),
            AlterConfigOpType.Append =>
                ConfigAlteration.Outcome.Fail(ErrorCode.InvalidRequest, "APPEND operation is not allowed for the BROKER_LOGGER resource"),
            AlterConfigOpType.Subtract =>
                ConfigAlteration.Outcome.Fail(ErrorCode.InvalidRequest, "SUBTRACT operation is not allowed for the BROKER_LOGGER resource"),
            _ => ConfigAlteration.Outcome.Fail(ErrorCode.InvalidRequest,
                $"Unknown operation type {(sbyte)operation.Operation} is not allowed for the BROKER_LOGGER resource"),
        };
    }
}
