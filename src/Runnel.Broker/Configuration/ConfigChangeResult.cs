namespace Runnel.Broker.Configuration;

/// <summary>
/// The outcome of validating a proposed set of configs (CreateTopics, AlterConfigs,
/// IncrementalAlterConfigs): on success the complete resulting set of explicit configs to store,
/// otherwise every problem found. An expected outcome, returned rather than thrown.
/// </summary>
/// <param name="Configs">The resulting explicit configs (name → value text as given) when valid; the unchanged input otherwise.</param>
/// <param name="Errors">Every problem, in request order; empty on success.</param>
public sealed record ConfigChangeResult(IReadOnlyDictionary<string, string> Configs, IReadOnlyList<ConfigError> Errors)
{
    /// <summary>True when the change may be applied.</summary>
    public bool IsSuccess => Errors.Count == 0;

    /// <summary>The Kafka error code for the resource: 0, or the first error's code.</summary>
    public short ErrorCode => Errors.Count == 0 ? (short)0 : Errors[0].ErrorCode;

    /// <summary>The error message for the resource (every problem, separated by "; "), or null on success.</summary>
    public string? ErrorMessage
    {
        get
        {
            if (Errors.Count == 0)
            {
                return null;
            }

            var messages = new string[Errors.Count];
            for (int i = 0; i < messages.Length; i++)
            {
                messages[i] = Errors[i].Message;
            }

            return string.Join("; ", messages);
        }
    }
}
