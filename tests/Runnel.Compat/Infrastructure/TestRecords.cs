using System.Globalization;
using System.Text;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// The records every scenario writes and expects: record i has key "key-i" and a compressible
/// UTF-8 value (with a non-ASCII character, so byte exactness is checked). The client scripts build
/// the same keys and values (clients/python/common.py, clients/node/common.js).
/// </summary>
public static class TestRecords
{
    /// <summary>Repeated text so every codec really shrinks the batch (librdkafka sends a batch uncompressed when compression would not help).</summary>
    private static readonly string Padding = string.Concat(Enumerable.Repeat("runnel compat payload ", 12));

    public static string Key(int i) => string.Create(CultureInfo.InvariantCulture, $"key-{i}");

    public static string Value(int i) => string.Create(CultureInfo.InvariantCulture, $"value-{i} caf\u00e9 {Padding}");

    public static byte[] KeyBytes(int i) => Encoding.UTF8.GetBytes(Key(i));

    public static byte[] ValueBytes(int i) => Encoding.UTF8.GetBytes(Value(i));

    /// <summary>A unique topic name per test.</summary>
    public static string NewTopicName(string client) => $"compat-{client}-{Guid.NewGuid():N}";
}
