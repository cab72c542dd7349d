namespace Runnel.PeerBench.Results;

/// <summary>Median and range (min–max) of one figure over the runs of a cell.</summary>
internal readonly record struct Stat(double Median, double Min, double Max, int Count)
{
    /// <summary>The statistic of the values, or null when there are none.</summary>
    public static Stat? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Stat(median, sorted[0], sorted[^1], sorted.Length);
    }
}
