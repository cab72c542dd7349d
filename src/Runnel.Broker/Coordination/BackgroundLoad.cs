using Runnel.Storage.Log;

namespace Runnel.Broker.Coordination;

/// <summary>
/// Runs a coordinator's load (and what follows it) off the startup path, so the broker serves in
/// milliseconds while the coordinator answers COORDINATOR_LOAD_IN_PROGRESS. A load that fails on
/// its topic or storage is reported and leaves the coordinator unloaded; stopping ends it quietly.
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
            catch (Exception ex) when (ex is InvalidOperationException or IOException or LogOfflineException)
            {
                failed(ex);
            }
        }, CancellationToken.None);
}
