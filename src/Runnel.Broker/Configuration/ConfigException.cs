namespace Runnel.Broker.Configuration;

/// <summary>
/// Thrown when the broker configuration cannot be built: one exception listing every bad key with
/// its reason and where its value came from, so an operator fixes them all in one go.
/// </summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception from the collected errors (at least one); <paramref name="scope"/> names what was being configured.</summary>
    public ConfigException(IReadOnlyList<ConfigError> errors, string scope = "broker")
        : base(BuildMessage(errors, scope))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, in input order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; }

    private static string BuildMessage(IReadOnlyList<ConfigError> errors, string scope)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A ConfigException needs at least one error.", nameof(errors));
        }

        var text = new System.Text.StringBuilder();
        text.Append("Invalid ").Append(scope).Append(" configuration (")
            .Append(errors.Count)
            .Append(errors.Count == 1 ? " problem):" : " problems):");
        foreach (ConfigError error in errors)
        {
            text.Append(Environment.NewLine).Append("  - ").Append(error);
        }

        return text.ToString();
    }
}
