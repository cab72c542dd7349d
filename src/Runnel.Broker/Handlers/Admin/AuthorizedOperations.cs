namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// Authorized-operation bit fields (KIP-430): bit n set means the principal may perform the
/// <c>AclOperation</c> whose code is n. Runnel has no authorizer yet, so, like a Kafka broker
/// without one (<c>AuthHelper.authorizedOperations</c>), every operation the resource type supports
/// is allowed.
/// </summary>
internal static class AuthorizedOperations
{
    /// <summary>The schema default: "not requested" or "unknown".</summary>
    public const int Unknown = int.MinValue;

    private const int Read = 1 << 3;
    private const int Write = 1 << 4;
    private const int Create = 1 << 5;
    private const int Delete = 1 << 6;
    private const int Alter = 1 << 7;
    private const int Describe = 1 << 8;
    private const int ClusterAction = 1 << 9;
    private const int DescribeConfigs = 1 << 10;
    private const int AlterConfigs = 1 << 11;
    private const int IdempotentWrite = 1 << 12;

    /// <summary>Every operation Kafka supports on a TOPIC (<c>AclEntry.supportedOperations</c>).</summary>
    public const int AllTopic = Read | Write | Create | Delete | Alter | Describe | DescribeConfigs | AlterConfigs;

    /// <summary>Every operation Kafka supports on a GROUP: READ, DELETE, DESCRIBE.</summary>
    public const int AllGroup = Read | Delete | Describe;

    /// <summary>Every operation Kafka supports on the CLUSTER.</summary>
    public const int AllCluster = Create | ClusterAction | DescribeConfigs | AlterConfigs | IdempotentWrite | Alter | Describe;
}
