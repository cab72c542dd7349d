using Microsoft.Extensions.Time.Testing;
using Runnel.Broker.Groups;

namespace Runnel.IntegrationTests.Groups;

/// <summary>Moves a broker's fake clock and makes sure the group coordinator has seen the new time.</summary>
internal static class CoordinatorClock
{
    /// <summary>
    /// Advances <paramref name="time"/> and then runs the coordinator's periodic tick at the new time.
    /// </summary>
    /// <remarks>
    /// <see cref="FakeTimeProvider.Advance(TimeSpan)"/> fires due timers on the calling thread only when
    /// no other thread is already firing them: if the broker is scheduling a timer of its own on another
    /// thread at that moment (a log's retention timer, a delay), that thread fires the coordinator's tick,
    /// possibly after Advance has returned. Running the tick here (it is idempotent and takes the
    /// coordinator's lock) makes every expiry and rebalance deadline up to the new time take effect
    /// before the test looks, whichever thread the timer callback lands on.
    /// </remarks>
    public static void AdvanceAndTick(this FakeTimeProvider time, GroupCoordinator coordinator, TimeSpan delta)
    {
        time.Advance(delta);
        coordinator.Tick();
    }
}
