using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// DescribeCluster (key 60), versions 0–2 (KIP-700). v1 EndpointType (KIP-919: 1 brokers,
/// 2 controllers); v2 IncludeFencedBrokers and each broker's IsFenced (KIP-1073).
/// </summary>
/// <remarks>
/// <para>As Kafka's <c>AuthHelper.computeDescribeClusterResponse</c> on a broker: the cluster id,
/// this node as controller id (Runnel is its own controller), and this node as the only broker, at
/// the advertised host and port of the listener the request came in on. An EndpointType Kafka does
/// not know is UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST at v0); asking a broker for controllers
/// (2) is MISMATCHED_ENDPOINT_TYPE (INVALID_REQUEST at v0), both with Kafka's messages. Cluster
/// authorized operations are int.MinValue unless asked for, then every cluster operation (no
/// authorizer, as a Kafka broker without one answers). No broker is ever fenced.</para>
/// </remarks>
public sealed class DescribeClusterHandler : RequestHandler<DescribeClusterRequest>
{
    private const sbyte BrokerEndpoint = 1;
    private const sbyte ControllerEndpoint = 2;

    private readonly BrokerIdentity _identity;

    public DescribeClusterHandler(BrokerIdentity identity)
    {
        _identity = identity;
    }

    public override ApiKey ApiKey => ApiKey.DescribeCluster;

    public override short MinVersion => 0;

    public override short MaxVersion => 2;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DescribeClusterRequest request)
    {
        var version = context.ApiVersion;
        var response = new DescribeClusterResponse();
        if (request.EndpointType is not BrokerEndpoint and not ControllerEndpoint)
        {
            response.ErrorCode = (short)(version == 0 ? ErrorCode.InvalidRequest : ErrorCode.UnsupportedEndpointType);
            response.ErrorMessage = $"Unsupported endpoint type {request.EndpointType}";
            return new ValueTask<IApiMessage?>(response);
        }

        if (request.EndpointType == ControllerEndpoint)
        {
            response.ErrorCode = (short)(version == 0 ? ErrorCode.InvalidRequest : ErrorCode.MismatchedEndpointType);
            response.ErrorMessage = "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER";
            return new ValueTask<IApiMessage?>(response);
        }

        response.EndpointType = BrokerEndpoint;
        response.ClusterId = _identity.ClusterId;
        response.ControllerId = _identity.NodeId;
        response.ClusterAuthorizedOperations = request.IncludeClusterAuthorizedOperations
            ? AuthorizedOperations.AllCluster
            : AuthorizedOperations.Unknown;
        response.Brokers.Add(new DescribeClusterResponse.DescribeClusterBroker
        {
            BrokerId = _identity.NodeId,
            Host = context.Listener.AdvertisedHost,
            Port = context.Listener.AdvertisedPort,
            Rack = _identity.Rack,
            IsFenced = false,
        });
        return new ValueTask<IApiMessage?>(response);
    }
}
