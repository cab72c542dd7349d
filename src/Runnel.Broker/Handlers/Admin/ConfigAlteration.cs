using Runnel.Broker.Configuration;
using Runnel.Broker.Metadata;
using Runnel.Protocol;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// What AlterConfigs and IncrementalAlterConfigs share: finding resources named twice, and
/// changing a TOPIC resource's overrides with the checks Kafka's controller makes
/// (<c>ControllerConfigurationValidator</c>, <c>ConfigurationControlManager</c>).
/// </summary>
internal static class ConfigAlteration
{
    private static readonly IReadOnlyDictionary<string, string> s_noOverrides = new Dictionary<string, string>();

    /// <summary>Result of altering one resource: Kafka's error code and message (null on success).</summary>
    public readonly record struct Outcome(short ErrorCode, string? ErrorMessage)
    {
        public static Outcome Success => new(0, null);

        public static Outcome Fail(ErrorCode error, string? message) => new((short)error, message);

        public static Outcome From(ConfigChangeResult result) => new(result.ErrorCode, result.ErrorMessage);
    }

    /// <summary>
    /// The (type, name) pairs that appear more than once; Kafka's <c>ConfigAdminManager.preprocess</c>
    /// fails every occurrence with INVALID_REQUEST "Each resource must appear at most once."
    /// </summary>
    public static HashSet<(sbyte Type, string Name)> FindDuplicates(IEnumerable<(sbyte Type, string Name)> resources)
    {
        var seen = new HashSet<(sbyte, string)>();
        var duplicates = new HashSet<(sbyte, string)>();
        foreach (var resource in resources)
        {
            if (!seen.Add(resource))
            {
                duplicates.Add(resource);
            }
        }

        return duplicates;
    }

    public static Outcome DuplicateResource => Outcome.Fail(ErrorCode.InvalidRequest, "Each resource must appear at most once.");

    public static Outcome UnknownResourceType(sbyte type) => Outcome.Fail(ErrorCode.InvalidRequest, $"Unknown resource type {type}");

    /// <summary>
    /// Validates (with <paramref name="validate"/>, given the topic's current overrides) and unless
    /// <paramref name="validateOnly"/> stores a TOPIC resource's new overrides. Order as in Kafka:
    /// the empty name (the "default topic" resource) is INVALID_REQUEST, an illegal name
    /// INVALID_TOPIC_EXCEPTION, invalid configs INVALID_CONFIG, and only then an unknown topic
    /// UNKNOWN_TOPIC_OR_PARTITION.
    /// </summary>
    public static async ValueTask<Outcome> AlterTopicAsync(
        TopicService topics,
        string name,
        Func<IReadOnlyDictionary<string, string>, ConfigChangeResult> validate,
        bool validateOnly,
        CancellationToken cancellationToken)
    {
        if (name.Length == 0)
        {
            return Outcome.Fail(ErrorCode.InvalidRequest, "Default topic resources are not allowed.");
        }

        if (TopicNames.Validate(name) is { } illegal)
        {
            return Outcome.Fail(ErrorCode.InvalidTopicException, illegal);
        }

        // Validated here first so errors come in Kafka's order; the write below validates again
        // against the overrides current under TopicService's admin lock, so concurrent alters of
        // one topic cannot lose each other's change.
        var exists = topics.Image.TryGetTopic(name, out var topic);
        var change = validate(exists ? topic!.Configs : s_noOverrides);
        if (!change.IsSuccess)
        {
            return Outcome.From(change);
        }

        if (!exists)
        {
            return Outcome.Fail(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
        }

        if (validateOnly)
        {
            return Outcome.Success;
        }

        ConfigChangeResult? failed = null;
        var stored = await topics.UpdateTopicConfigsAsync(name, current =>
        {
            var latest = validate(current);
            if (!latest.IsSuccess)
            {
                failed = latest;
                return null;
            }

            return latest.Configs;
        }, cancellationToken);
        if (failed is not null)
        {
            return Outcome.From(failed);
        }

        return stored.Error == ErrorCode.None ? Outcome.Success : Outcome.Fail(stored.Error, stored.Message);
    }

    /// <summary>
    /// Applies a BROKER resource change through <paramref name="apply"/> (the dynamic config
    /// overlay validates the node id, read-only and per-broker keys and the values) and, once a
    /// change took effect, re-applies every topic's log config so new broker defaults reach the logs.
    /// </summary>
    public static Outcome AlterBroker(TopicService topics, Func<ConfigChangeResult> apply, bool validateOnly)
    {
        var result = apply();
        if (result.IsSuccess && !validateOnly)
        {
            topics.RefreshLogConfigs();
        }

        return Outcome.From(result);
    }
}
