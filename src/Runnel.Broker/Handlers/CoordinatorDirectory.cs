namespace Runnel.Broker.Handlers;

/// <summary>
/// Which coordinators this broker runs, as FindCoordinator reports them. The group and
/// transaction coordinators set their flag once they have loaded their state.
/// </summary>
public sealed class CoordinatorDirectory
{
    private volatile bool _group;
    private volatile bool _transaction;

    public bool HostsGroupCoordinator
    {
        get => _group;
        set => _group = value;
    }

    public bool HostsTransactionCoordinator
    {
        get => _transaction;
        set => _transaction = value;
    }
}
