using Runnel.Storage.Cleaner;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests.Cleaner;

/// <summary>Cleans that fail at one chosen file operation, for tests that sweep every step of the cleaner's swap protocol.</summary>
internal static class InterruptedClean
{
    /// <summary>An undisturbed clean of <paramref name="log"/>, counting the file operations it makes.</summary>
    public static (int Operations, CleanerStats Stats) CountOperations(LogFixture fx, PartitionLog log, CleanerOptions options)
    {
        var count = 0;
        fx.Fs.BeforeOperation = (_, _) => count++;
        var stats = new LogCleaner(options, fx.Fs).Clean(log, (long?)null, fx.Time.GetUtcNow());
        fx.Fs.BeforeOperation = null;
        return (count, stats);
    }

    /// <summary>A clean whose file operation number <paramref name="failAt"/> (from 0) throws <see cref="IOException"/>.</summary>
    public static void Run(LogFixture fx, PartitionLog log, CleanerOptions options, int failAt)
    {
        var count = 0;
        fx.Fs.BeforeOperation = (operation, path) =>
        {
            if (count++ == failAt)
            {
                throw new IOException($"Injected failure of {operation} {path} (operation {failAt}).");
            }
        };

        try
        {
            new LogCleaner(options, fx.Fs).Clean(log, (long?)null, fx.Time.GetUtcNow());
        }
        catch (LogOfflineException)
        {
            // The failure took the log offline, as any storage failure does.
        }
        finally
        {
            fx.Fs.BeforeOperation = null;
        }
    }
}
