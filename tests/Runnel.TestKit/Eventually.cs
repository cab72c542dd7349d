using Xunit;

namespace Runnel.TestKit;

/// <summary>
/// Deadline polling for tests (never fixed sleeps): checks a condition until it holds or the
/// deadline passes, then fails with a message. Uses the test's cancellation token.
/// </summary>
public static class Eventually
{
    /// <summary>Default deadline: generous, because CI machines are slow; passing tests return at once.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null) =>
        TrueAsync(() => new ValueTask<bool>(condition()), because, timeout);

    /// <summary>As above, for a condition that must itself await (a request to a broker), so no test blocks on a task.</summary>
    public static async Task TrueAsync(Func<ValueTask<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = 1;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met within {timeout ?? DefaultTimeout}: {because}");
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 50);
        }
    }

    /// <summary>Awaits <paramref name="task"/> or fails after the deadline.</summary>
    public static async Task<T> WithinAsync<T>(Task<T> task, string because, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? DefaultTimeout, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Task did not complete within {timeout ?? DefaultTimeout}: {because}");
        }
    }

    /// <summary>Awaits <paramref name="task"/> or fails after the deadline.</summary>
    public static async Task WithinAsync(Task task, string because, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? DefaultTimeout, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Task did not complete within {timeout ?? DefaultTimeout}: {because}");
        }
    }
}
