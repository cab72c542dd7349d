using System.Globalization;

namespace Runnel.Broker.Configuration;

/// <summary>
/// Checks a parsed config value beyond its type (Kafka's <c>ConfigDef.Validator</c>): a numeric
/// range, a set of allowed strings, a list whose elements come from a set, or a custom predicate.
/// Reasons use Kafka's wording ("Value must be at least 14") so clients see familiar messages.
/// Validators are immutable and thread-safe.
/// </summary>
public abstract class ConfigValidator
{
    /// <summary>The allowed values as Kafka's config reference prints them, e.g. <c>[14,...]</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Returns null when <paramref name="value"/> (already parsed to the config's type) is allowed, else the reason.</summary>
    public abstract string? Validate(object value);

    /// <inheritdoc/>
    public override string ToString() => Description;

    /// <summary>A number no smaller than <paramref name="min"/> (Kafka's <c>Range.atLeast</c>).</summary>
    public static ConfigValidator AtLeast(long min) => new RangeValidator(min, null);

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>] (Kafka's <c>Range.between</c>).</summary>
    public static ConfigValidator Between(long min, long max) => new RangeValidator(min, max);

    /// <summary>A floating-point number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static ConfigValidator Between(double min, double max) => new DoubleRangeValidator(min, max);

    /// <summary>One of <paramref name="allowed"/>, compared case-sensitively (Kafka's <c>ValidString.in</c>).</summary>
    public static ConfigValidator In(params string[] allowed) => new ValidStringValidator(allowed);

    /// <summary>A list whose every element is one of <paramref name="allowed"/> (Kafka's <c>ValidList.in</c>); the empty list is allowed.</summary>
    public static ConfigValidator ListOf(params string[] allowed) => new ValidListValidator(allowed);

    /// <summary>
    /// Any rule that the others cannot state: <paramref name="validate"/> returns null when the value
    /// is allowed, else the reason; <paramref name="description"/> is shown as the valid values.
    /// </summary>
    public static ConfigValidator Predicate(Func<object, string?> validate, string description) =>
        new PredicateValidator(validate, description);

    private static string FormatNumber(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class RangeValidator(long min, long? max) : ConfigValidator
    {
        public override string Description => max is null
            ? $"[{min.ToString(CultureInfo.InvariantCulture)},...]"
            : $"[{min.ToString(CultureInfo.InvariantCulture)},...,{max.Value.ToString(CultureInfo.InvariantCulture)}]";

        public override string? Validate(object value)
        {
            if (value is double d)
            {
                if (d < min)
                {
                    return $"Value must be at least {min.ToString(CultureInfo.InvariantCulture)}";
                }

                return max is not null && d > max.Value ? $"Value must be no more than {max.Value.ToString(CultureInfo.InvariantCulture)}" : null;
            }

            long n = Convert.ToInt64(value, CultureInfo.InvariantCulture);
            if (n < min)
            {
                return $"Value must be at least {min.ToString(CultureInfo.InvariantCulture)}";
            }

            return max is not null && n > max.Value ? $"Value must be no more than {max.Value.ToString(CultureInfo.InvariantCulture)}" : null;
        }
    }

    private sealed class DoubleRangeValidator(double min, double max) : ConfigValidator
    {
        public override string Description => $"[{FormatNumber(min)},...,{FormatNumber(max)}]";

        public override string? Validate(object value)
        {
            double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (double.IsNaN(d) || d < min)
            {
                return $"Value must be at least {FormatNumber(min)}";
            }

            return d > max ? $"Value must be no more than {FormatNumber(max)}" : null;
        }
    }

    private sealed class ValidStringValidator(string[] allowed) : ConfigValidator
    {
        public override string Description => $"[{string.Join(", ", allowed)}]";

        public override string? Validate(object value) =>
            value is string s && Array.IndexOf(allowed, s) >= 0 ? null : $"String must be one of: {string.Join(", ", allowed)}";
    }

    private sealed class ValidListValidator(string[] allowed) : ConfigValidator
    {
        public override string Description => $"[{string.Join(", ", allowed)}]";

        public override string? Validate(object value)
        {
            if (value is not IReadOnlyList<string> list)
            {
                return "Value must be a list";
            }

            foreach (string element in list)
            {
                if (Array.IndexOf(allowed, element) < 0)
                {
                    return $"String must be one of: {string.Join(", ", allowed)}";
                }
            }

            return null;
        }
    }

    private sealed class PredicateValidator(Func<object, string?> validate, string description) : ConfigValidator
    {
        public override string Description => description;

        public override string? Validate(object value) => validate(value);
    }
}
