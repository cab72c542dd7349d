using Runnel.Broker.Groups;
using Runnel.Broker.Pipeline;
using Runnel.Broker.Transactions;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers;

/// <summary>
/// FindCoordinator (key 10), versions 0–6 (Kafka 4.0 keeps v0: kafka-python 2.0.2 sends it, and
/// librdkafka before 2.11.1 only enables LZ4 and its group consumer when v0 is advertised).
/// v1 adds the key type (0 group, 1 transaction) and error message; v3 is flexible; v4 batches
/// keys (KIP-699); v6 adds the share key type (KIP-932).
/// A key whose coordinator this broker runs is answered with this node; a coordinator the broker
/// does not run answers COORDINATOR_NOT_AVAILABLE, Kafka's answer while a coordinator cannot serve
/// (clients retry). The group coordinator (consumer groups) and the transaction coordinator
/// register themselves in <see cref="CoordinatorDirectory"/> when they exist.
/// </summary>
public sealed class FindCoordinatorHandler : RequestHandler<FindCoordinatorRequest>
{
    private const sbyte GroupKeyType = 0;
    private const sbyte TransactionKeyType = 1;
    private const sbyte ShareKeyType = 2;

    /// <summary>How long a lookup waits for a coordinator that is loading (on first use: creating its topic) before answering COORDINATOR_NOT_AVAILABLE.</summary>
    private static readonly TimeSpan FirstUseWait = TimeSpan.FromSeconds(5);

    private readonly BrokerIdentity _identity;
    private readonly CoordinatorDirectory _coordinators;
    private readonly GroupCoordinator _groups;
    private readonly TransactionCoordinator _transactions;

    public FindCoordinatorHandler(BrokerIdentity identity, CoordinatorDirectory coordinators, GroupCoordinator groups, TransactionCoordinator transactions)
    {
        _identity = identity;
        _coordinators = coordinators;
        _groups = groups;
        _transactions = transactions;
    }

    public override ApiKey ApiKey => ApiKey.FindCoordinator;

    public override short MinVersion => 0;

    public override short MaxVersion => 6;

    protected override async ValueTask<IApiMessage?> HandleAsync(RequestContext context, FindCoordinatorRequest request)
    {
        // Kafka creates __consumer_offsets / __transaction_state on the first lookup that needs one;
        // so does Runnel, and on one node that takes a moment, so the lookup waits for it rather than
        // sending the client into its retry backoff.
        if (request.KeyType == GroupKeyType && !_coordinators.HostsGroupCoordinator)
        {
            await _groups.Load.WaitAsync(FirstUseWait);
        }
        else if (request.KeyType == TransactionKeyType && !_coordinators.HostsTransactionCoordinator)
        {
            await _transactions.Load.WaitAsync(FirstUseWait);
        }

        var response = new FindCoordinatorResponse();
        if (context.ApiVersion < 4)
        {
            var (error, message) = Locate(request.KeyType, request.Key);
            response.ErrorCode = (short)error;
            response.ErrorMessage = message;
            response.NodeId = error == ErrorCode.None ? _identity.NodeId : -1;
            response.Host = error == ErrorCode.None ? context.Listener.AdvertisedHost : "";
            response.Port = error == ErrorCode.None ? context.Listener.AdvertisedPort : -1;
            return response;
        }

        foreach (var key in request.CoordinatorKeys)
        {
            var (error, message) = Locate(request.KeyType, key);
            response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                ErrorCode = (short)error,
                ErrorMessage = message,
                NodeId = error == ErrorCode.None ? _identity.NodeId : -1,
                Host = error == ErrorCode.None ? context.Listener.AdvertisedHost : "",
                Port = error == ErrorCode.None ? context.Listener.AdvertisedPort : -1,
            });
        }

        return response;
    }

    private (ErrorCode Error, string? Message) Locate(sbyte keyType, string key)
    {
        switch (keyType)
        {
            case GroupKeyType:
                return _coordinators.HostsGroupCoordinator
                    ? (ErrorCode.None, null)
                    : (ErrorCode.CoordinatorNotAvailable, "This broker does not run a group coordinator.");
            case TransactionKeyType:
                if (key.Length == 0)
                {
                    return (ErrorCode.InvalidRequest, "Transactional id must not be empty.");
                }

                return _coordinators.HostsTransactionCoordinator
                    ? (ErrorCode.None, null)
                    : (ErrorCode.CoordinatorNotAvailable, "This broker does not run a transaction coordinator.");
            case ShareKeyType:
                return (ErrorCode.CoordinatorNotAvailable, "Share groups are not enabled on this broker.");
            default:
                return (ErrorCode.InvalidRequest, $"Unknown coordinator key type {keyType}.");
        }
    }
}
