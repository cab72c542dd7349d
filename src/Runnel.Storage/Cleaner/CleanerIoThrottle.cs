namespace Runnel.Storage.Cleaner;

/// <summary>
/// <c>log.cleaner.io.max.bytes.per.second</c> (Kafka's <c>Throttler</c>): every cleaner thread reports
/// its reads and writes here, and a thread that is ahead of the rate waits until the bytes since the
/// period began fit it. Shared by all cleaner threads, so the limit is for the whole broker, as in
/// Kafka.
/// </summary>
/// <remarks>
/// <para>Unlike Kafka's, which compares only once per 300 ms check interval (so a clean shorter than
/// that is never slowed), every report is compared: a period begins when the last wait ends, and is
/// restarted once it is longer than the check interval without being ahead, so idle time is not
/// banked as credit for a later burst.</para>
/// <para>Waits block a cleaner thread (a dedicated thread, never a pool thread) on the cancellation
/// token's wait handle, so shutdown and log deletion interrupt them.</para>
/// </remarks>
public sealed class CleanerIoThrottle : ICleanerThrottle
{
    /// <summary>Kafka's check interval (300 ms): the longest period averaged over.</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromMilliseconds(300);

    private static readonly TimeSpan s_maxWait = TimeSpan.FromHours(1);

    private readonly double _bytesPerSecond;
    private readonly TimeSpan _checkInterval;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private long _periodStart;
    private double _observedBytes;
    private long _waitedTicks;

    public CleanerIoThrottle(double bytesPerSecond, TimeProvider time, TimeSpan? checkInterval = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        ArgumentNullException.ThrowIfNull(time);
        _bytesPerSecond = bytesPerSecond;
        _checkInterval = checkInterval ?? DefaultCheckInterval;
        _time = time;
        _periodStart = time.GetTimestamp();
    }

    /// <summary>Total time threads were made to wait (for metrics and tests).</summary>
    public TimeSpan TimeWaited => TimeSpan.FromTicks(Interlocked.Read(ref _waitedTicks));

    public void OnBytes(long bytes, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _observedBytes += bytes;
            var elapsed = _time.GetElapsedTime(_periodStart, now);
            wait = TimeSpan.FromSeconds(_observedBytes / _bytesPerSecond) - elapsed;
            if (wait <= TimeSpan.Zero)
            {
                if (elapsed >= _checkInterval)
                {
                    _observedBytes = 0;
                    _periodStart = now;
                }

                return;
            }

            // After the wait the period is exactly at the rate: a new one begins when the wait ends.
            _observedBytes = 0;
            _periodStart = now + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        }

        // WaitOne takes at most int.MaxValue ms; a tiny rate could ask for more. An hour at a time is
        // plenty: the next report waits again.
        wait = wait < s_maxWait ? wait : s_maxWait;
        Interlocked.Add(ref _waitedTicks, wait.Ticks);
        cancellationToken.WaitHandle.WaitOne(wait);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
