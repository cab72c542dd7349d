using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// A record as one client saw it, in a form every client can print: UTF-8 key and value (null
/// stays null), headers as "k=v,k=v" in order, and the timestamp when the test controls it.
/// Tests compare lists of these with exact equality.
/// </summary>
public sealed record ObservedRecord(int Partition, long Offset, string? Key, string? Value, string Headers, long? Timestamp = null)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"[{Partition}@{Offset}] key={Show(Key)} value={Show(Value)} headers={Headers} ts={Timestamp?.ToString(CultureInfo.InvariantCulture) ?? "-"}");

    /// <summary>The records a client script sent: TestRecords keys and values, headers index=i and client=name.</summary>
    public static List<ObservedRecord> Expected(int partition, int count, string client, long? firstTimestamp = null) =>
        [.. Enumerable.Range(0, count).Select(i => new ObservedRecord(partition, i, TestRecords.Key(i), TestRecords.Value(i),
            string.Create(CultureInfo.InvariantCulture, $"index={i},client={client}"), firstTimestamp + i))];

    /// <summary>The messages matching <see cref="Expected"/> for Confluent.Kafka to produce.</summary>
    public static List<Message<byte[]?, byte[]?>> Messages(int count, string client, long firstTimestamp) =>
        [.. Enumerable.Range(0, count).Select(i => new Message<byte[]?, byte[]?>
        {
            Key = TestRecords.KeyBytes(i),
            Value = TestRecords.ValueBytes(i),
            Headers = new Headers
            {
                { "index", Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)) },
                { "client", Encoding.UTF8.GetBytes(client) },
            },
            Timestamp = new Timestamp(firstTimestamp + i, TimestampType.CreateTime),
        })];

    public static ObservedRecord From(ConsumeResult<byte[]?, byte[]?> result, bool withTimestamp = false) => new(
        result.Partition.Value,
        result.Offset.Value,
        Text(result.Message.Key),
        Text(result.Message.Value),
        string.Join(',', (result.Message.Headers ?? []).Select(h => h.Key + "=" + Text(h.GetValueBytes()))),
        withTimestamp ? result.Message.Timestamp.UnixTimestampMs : null);

    /// <summary>A "record" line of the python scripts: partition, offset, timestamp, key, value, headers [[k, v], ...].</summary>
    public static ObservedRecord FromJson(JsonElement line) => new(
        line.GetProperty("partition").GetInt32(),
        line.GetProperty("offset").GetInt64(),
        line.GetStringOrNull("key"),
        line.GetStringOrNull("value"),
        string.Join(',', line.GetProperty("headers").EnumerateArray().Select(h => h[0].GetString() + "=" + (h[1].ValueKind == JsonValueKind.Null ? "" : h[1].GetString()))),
        line.GetProperty("timestamp").GetInt64());

    private static string? Text(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private static string Show(string? text) => text is null ? "null" : text.Length <= 40 ? $"\"{text}\"" : $"\"{text[..40]}...\"({text.Length})";
}
