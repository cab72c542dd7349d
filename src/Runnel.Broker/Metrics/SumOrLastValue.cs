using System.Globalization;
using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>
/// One series' value: a sum (integral measurements exactly in a long, others in a double) or a
/// last value. Updated lock-free from any thread.
/// </summary>
internal sealed class SumOrLastValue
{
    private long _integral;
    private double _floating;
    private int _hasValue;

    public bool HasValue => Volatile.Read(ref _hasValue) != 0;

    /// <summary>Adds <paramref name="value"/> to the sum when <paramref name="sums"/>, else makes it the last value.</summary>
    public void Record(long value, bool sums)
    {
        if (sums)
        {
            Interlocked.Add(ref _integral, value);
        }
        else
        {
            Volatile.Write(ref _floating, value);
        }

        Volatile.Write(ref _hasValue, 1);
    }

    /// <inheritdoc cref="Record(long, bool)"/>
    public void Record(double value, bool sums)
    {
        if (sums)
        {
            AtomicDouble.Add(ref _floating, value);
        }
        else
        {
            Volatile.Write(ref _floating, value);
        }

        Volatile.Write(ref _hasValue, 1);
    }

    public void WriteTo(StringBuilder text)
    {
        long integral = Volatile.Read(ref _integral);
        double floating = Volatile.Read(ref _floating);
        if (floating == 0)
        {
            text.Append(integral.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            PrometheusExporter.AppendValue(text, integral + floating);
        }
    }
}
