using System.Diagnostics;
using System.Globalization;
using Runnel.Broker;

namespace Runnel.StartupBench;

/// <summary>
/// One measured process: the first <see cref="RunnelBroker.StartAsync"/> of the process (temp data
/// dir, ephemeral port, ready to accept connections when it returns), its disposal, and a second
/// start for comparison. Prints <c>first-start-ms F second-start-ms S</c>.
/// </summary>
internal static class ChildRun
{
    public static async Task<int> RunAsync(bool listJit, TextWriter output)
    {
        using JitListener? jit = listJit ? new JitListener() : null;

        long start = Stopwatch.GetTimestamp();
        RunnelBroker first = await RunnelBroker.StartAsync().ConfigureAwait(false);
        double firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        jit?.Stop();
        await first.DisposeAsync().ConfigureAwait(false);

        start = Stopwatch.GetTimestamp();
        RunnelBroker second = await RunnelBroker.StartAsync().ConfigureAwait(false);
        double secondMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        await second.DisposeAsync().ConfigureAwait(false);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first-start-ms {firstMs:F2} second-start-ms {secondMs:F2}"));
        jit?.WriteTo(output);
        return 0;
    }
}
