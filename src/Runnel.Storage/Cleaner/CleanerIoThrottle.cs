namespace Runnel.Storage.Cleaner;

/// <summary>
/// <c>log.cleaner.io.max.bytes.per.second</c> (Kafka's <c>Throttler</c>): every cleaner thread reports
/// its reads and writes here; once per check interval the observed rate is compared with the limit
/// and the reporting thread waits long enough to bring the average back to it. Shared by all
/// cleaner threads, so the limit is for the whole broker, as in Kafka.
/// </summary>
/// <remarks>Waits block a cleaner thread (a dedicated thread, never a pool thread) on the cancellation token's wait handle, so shutdown and log deletion interrupt them.</remarks>
public sealed class CleanerIoThrottle : ICleanerThrottle
{
    /// <summary>Kafka's check interval (300 ms): short enough to react, long enough to average over many reads.</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromMilliseconds(300);

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
            _observedBytes += bytes;
            var elapsed = _time.GetElapsedTime(_periodStart);
            if (elapsed < _checkInterval)
            {
                return;
            }

            var allowed = TimeSpan.FromSeconds(_observedBytes / _bytesPerSecond);
            wait = allowed - elapsed;
            _observedBytes = 0;
            _periodStart = _time.GetTimestamp();
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            // The wait belongs to the next period's elapsed time, so the average holds across periods.
            _periodStart += (long)(wait.TotalSeconds * _time.TimestampFrequency);
        }

        Interlocked.Add(ref _waitedTicks, wait.Ticks);
        cancellationToken.WaitHandle.WaitOne(wait);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
