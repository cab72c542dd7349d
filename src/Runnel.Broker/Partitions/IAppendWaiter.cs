namespace Runnel.Broker.Partitions;

/// <summary>What an <see cref="AppendNotifier"/> signals; must return quickly and never call back into the notifier.</summary>
public interface IAppendWaiter
{
    void OnAppended();
}
