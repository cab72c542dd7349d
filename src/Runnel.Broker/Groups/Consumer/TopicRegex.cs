using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// Subscription regular expressions (KIP-848 v1 <c>SubscribedTopicRegex</c>). Kafka compiles them
/// with RE2/J and matches whole topic names (<c>Matcher.matches</c>); here .NET's
/// <see cref="RegexOptions.NonBacktracking"/> engine (linear time, safe on untrusted input) runs
/// the pattern anchored at both ends. RE2 and .NET agree on the syntax clients use for topic
/// patterns (classes, alternation, repetition, anchors); constructs RE2 rejects and .NET accepts
/// (backreferences, lookaround) are rejected by the non-backtracking engine too.
/// </summary>
public static class TopicRegex
{
    // Compiled patterns are shared by every group; a bounded cache keeps a client that churns
    // patterns from growing it without end.
    private const int CacheLimit = 1024;
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;
    private static readonly ConcurrentDictionary<string, Regex> s_cache = new(StringComparer.Ordinal);

    /// <summary>Compiles <paramref name="pattern"/>; false with the parser's reason when it is not valid.</summary>
    public static bool TryCompile(string pattern, out Regex? regex, out string? error)
    {
        if (s_cache.TryGetValue(pattern, out var cached))
        {
            regex = cached;
            error = null;
            return true;
        }

        try
        {
            // The pattern must parse on its own, so wrapping it in anchors cannot change its structure.
            _ = new Regex(pattern, Options);
            regex = new Regex(@"\A(?:" + pattern + @")\z", Options);
        }
        catch (ArgumentException ex)
        {
            regex = null;
            error = ex.Message;
            return false;
        }
        catch (NotSupportedException ex)
        {
            regex = null;
            error = ex.Message;
            return false;
        }

        if (s_cache.Count >= CacheLimit)
        {
            s_cache.Clear();
        }

        s_cache[pattern] = regex;
        error = null;
        return true;
    }
}
