namespace Runnel.Broker.Metrics;

/// <summary>Lock-free addition to a double (a compare-and-swap loop).</summary>
internal static class AtomicDouble
{
    public static void Add(ref double location, double value)
    {
        while (true)
        {
            double current = Volatile.Read(ref location);
            double seen = Interlocked.CompareExchange(ref location, current + value, current);

            // Compare bits, not values: NaN never equals itself and would spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }
        }
    }
}
