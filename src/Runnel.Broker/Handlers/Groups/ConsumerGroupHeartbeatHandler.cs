using System.Net;
using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Groups;

/// <summary>
/// ConsumerGroupHeartbeat (key 68), versions 0–1: the consumer group protocol (KIP-848). v0 lets
/// the coordinator generate the member id on the first heartbeat; v1 (KIP-1082) requires the client
/// to generate it and adds SubscribedTopicRegex. Registered only while
/// <c>group.coordinator.rebalance.protocols</c> includes <c>consumer</c>, so ApiVersions does not
/// advertise it otherwise, as Kafka does. Rack-aware assignment is not implemented (RackId is kept
/// and reported only).
/// </summary>
public sealed class ConsumerGroupHeartbeatHandler(GroupCoordinator coordinator) : RequestHandler<ConsumerGroupHeartbeatRequest>
{
    public override ApiKey ApiKey => ApiKey.ConsumerGroupHeartbeat;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, ConsumerGroupHeartbeatRequest request)
    {
        var clientHost = context.RemoteEndPoint is IPEndPoint ip ? "/" + ip.Address : "";
        var result = await coordinator.ConsumerGroupHeartbeatAsync(request, context.ApiVersion, context.ClientId ?? "", clientHost);
        var response = new ConsumerGroupHeartbeatResponse
        {
            ErrorCode = (short)result.Error,
            ErrorMessage = result.ErrorMessage,
            MemberId = result.MemberId,
            MemberEpoch = result.MemberEpoch,
            HeartbeatIntervalMs = result.HeartbeatIntervalMs,
        };
        if (result.Assignment is { } assignment)
        {
            var wire = new ConsumerGroupHeartbeatResponse.AssignmentStruct();
            foreach (var partition in assignment)
            {
                if (wire.TopicPartitions.Count == 0 || wire.TopicPartitions[^1].TopicId != partition.TopicId)
                {
                    wire.TopicPartitions.Add(new ConsumerGroupHeartbeatResponse.TopicPartitions { TopicId = partition.TopicId });
                }

                wire.TopicPartitions[^1].Partitions.Add(partition.Partition);
            }

            response.Assignment = wire;
        }

        return response;
    }
}
