namespace Runnel.Broker.Coordination;

/// <summary>
/// Runs a coordinator's load (and what follows it) off the startup path, so the broker serves in
/// milliseconds while the coordinator answers COORDINATOR_LOAD_IN_PROGRESS. A load that fails is
/// reported and leaves the coordinator unloaded; stopping ends it quietly.
/// </summary>
internal static class BackgroundLoad
{
    public static Task Start(Func<CancellationToken, Task> run, Action<Exception> failed, CancellationToken stopping) =>
        Task.Run(async () =>
        {
            try
            {
                await run(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Broker stopping.
            }
            catch (Exception ex)
            {
                // Whatever it was, the coordinator stays unloaded (its requests keep getting
                // COORDINATOR_LOAD_IN_PROGRESS) and stopping the broker is not disturbed by it.
                failed(ex);
            }
        }, CancellationToken.None);
}
