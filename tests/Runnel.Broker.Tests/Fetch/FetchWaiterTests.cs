using Microsoft.Extensions.Time.Testing;
using Runnel.Broker.Fetch;
using Runnel.Broker.Partitions;

namespace Runnel.Broker.Tests.Fetch;

/// <summary>
/// A connection's long-poll waiter: which events end a wait, that a wait leaves no registration
/// behind, and that arming it again after a signal raced with the end of a wait is safe.
/// </summary>
public sealed class FetchWaiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task An_append_to_a_watched_partition_ends_the_wait_and_one_to_another_does_not()
    {
        var watched = new AppendNotifier();
        var other = new AppendNotifier();
        var waiter = Bound(CancellationToken.None);
        waiter.Arm();
        waiter.Watch(watched);

        var wait = waiter.WaitAsync(TimeSpan.FromSeconds(30));
        other.Notify();
        Assert.False(wait.IsCompleted);
        watched.Notify();
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        waiter.EndWait();

        Assert.Equal(0, watched.WaiterCount);
    }

    [Fact]
    public async Task The_deadline_ends_the_wait()
    {
        var notifier = new AppendNotifier();
        var waiter = Bound(CancellationToken.None);
        waiter.Arm();
        waiter.Watch(notifier);

        var wait = waiter.WaitAsync(TimeSpan.FromMilliseconds(500));
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(wait.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        waiter.EndWait();
        Assert.Equal(0, notifier.WaiterCount);
    }

    [Fact]
    public async Task Closing_the_connection_ends_the_wait()
    {
        using var closed = new CancellationTokenSource();
        var waiter = Bound(closed.Token);
        waiter.Arm();
        waiter.Watch(new AppendNotifier());

        var wait = waiter.WaitAsync(TimeSpan.FromMinutes(10));
        Assert.False(wait.IsCompleted);
        await closed.CancelAsync();
        await wait.AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_timer_that_fires_after_the_data_came_cannot_complete_a_wait_twice()
    {
        var notifier = new AppendNotifier();
        var waiter = Bound(CancellationToken.None);
        waiter.Arm();
        waiter.Watch(notifier);
        var first = waiter.WaitAsync(TimeSpan.FromMilliseconds(100));
        notifier.Notify();
        await first;

        // The timer fires between the wake and EndWait: the wait is already complete, nothing happens.
        _time.Advance(TimeSpan.FromMilliseconds(100));
        waiter.EndWait();

        waiter.Arm();
        waiter.Watch(notifier);
        var second = waiter.WaitAsync(TimeSpan.FromMilliseconds(100));
        Assert.False(second.IsCompleted);
        notifier.Notify();
        await second;
        waiter.EndWait();
    }

    [Fact]
    public async Task Stopping_a_wait_a_signal_already_ended_consumes_that_signal()
    {
        var notifier = new AppendNotifier();
        var waiter = Bound(CancellationToken.None);
        waiter.Arm();
        waiter.Watch(notifier);
        notifier.Notify(); // the read found data, and an append signalled before the fetch stopped the wait

        await waiter.StopAsync();
        Assert.Equal(0, notifier.WaiterCount);

        // The next wait starts clean: not completed by the earlier signal.
        waiter.Arm();
        waiter.Watch(notifier);
        var next = waiter.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(next.IsCompleted);
        notifier.Notify();
        await next;
        waiter.EndWait();
        var stopped = waiter.StopAsync(); // nothing open: a no-op, complete at once
        Assert.True(stopped.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Waits_armed_and_ended_while_another_thread_appends_all_end_once()
    {
        // Real time: the deadline timer fires on the thread pool, racing the appends too.
        var notifiers = new[] { new AppendNotifier(), new AppendNotifier(), new AppendNotifier() };
        var waiter = new FetchWaiter();
        waiter.Bind(TimeProvider.System, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var appender = Task.Run(
            () =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    notifiers[i++ % notifiers.Length].Notify();
                }
            },
            TestContext.Current.CancellationToken);

        for (var round = 0; round < 20_000; round++)
        {
            waiter.Arm();
            waiter.Watch(notifiers[round % notifiers.Length]);
            waiter.Watch(notifiers[(round + 1) % notifiers.Length]);
            if (round % 3 == 0)
            {
                await waiter.StopAsync(); // the read found enough
            }
            else
            {
                await waiter.WaitAsync(TimeSpan.FromMilliseconds(round % 2)).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
                waiter.EndWait();
            }
        }

        await stop.CancelAsync();
        await appender;
        Assert.All(notifiers, n => Assert.Equal(0, n.WaiterCount));
    }

    private FetchWaiter Bound(CancellationToken connectionClosed)
    {
        var waiter = new FetchWaiter();
        waiter.Bind(_time, connectionClosed);
        return waiter;
    }
}
