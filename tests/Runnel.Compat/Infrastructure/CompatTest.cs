using System.Text.Json;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// Base of the per-client test classes: the shared broker process, Confluent.Kafka for the other
/// side, and assertions whose messages carry the client's transcript and the broker's output.
/// </summary>
public abstract partial class CompatTest(BrokerProcess broker) : IDisposable
{
    protected BrokerProcess Broker { get; } = broker;

    protected DotNetKafka DotNet { get; } = new(broker.BootstrapServers);

    /// <summary>Failure context: the client transcripts given, then the broker's output.</summary>
    protected string Context(params ProcessResult?[] results) =>
        string.Join('\n', results.Where(r => r is not null).Select(r => r!.ToString())) + "\n" + Broker.DescribeOutput();

    protected void AssertSucceeded(ProcessResult result, string what) =>
        Assert.True(result.Succeeded, $"{what} did not complete.\n{Context(result)}");

    /// <summary>Exact, ordered equality of two sequences, failing with both in full plus <paramref name="context"/>.</summary>
    protected static void AssertSequence<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what, Func<string> context)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        if (e.SequenceEqual(a))
        {
            return;
        }

        var firstDifference = Enumerable.Range(0, Math.Min(e.Count, a.Count)).FirstOrDefault(i => !Equals(e[i], a[i]), Math.Min(e.Count, a.Count));
        Assert.Fail($"{what}: expected {e.Count} items, got {a.Count}; first difference at index {firstDifference}.\n" +
                    $"expected:\n  {string.Join("\n  ", e)}\nactual:\n  {string.Join("\n  ", a)}\n{context()}");
    }

    protected static void AssertEqual<T>(T expected, T actual, string what, Func<string> context)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Assert.Fail($"{what}: expected {expected}, got {actual}.\n{context()}");
        }
    }

    /// <summary>The single line of <paramref name="result"/> with this event name.</summary>
    protected JsonElement SingleEvent(ProcessResult result, string name)
    {
        var lines = result.JsonLines.Events(name).ToList();
        Assert.True(lines.Count == 1, $"Expected one \"{name}\" line, got {lines.Count}.\n{Context(result)}");
        return lines[0];
    }

    /// <summary>
    /// Asserts a producer script acknowledged records 0..count-1 at offsets 0..count-1 of partition 0,
    /// one <c>sent</c> event each (the Python clients report per record).
    /// </summary>
    protected void AssertAcknowledgedInOrder(ProcessResult result, int count) =>
        AssertSequence(
            Enumerable.Range(0, count).Select(i => $"{i} -> 0@{i}"),
            result.JsonLines.Events("sent").Select(s => $"{s.GetProperty("index")} -> {s.GetProperty("partition")}@{s.GetProperty("offset")}"),
            "offsets the producer was acknowledged with",
            () => Context(result));

    /// <summary>
    /// Reads partition 0 of <paramref name="topic"/> with Confluent.Kafka and asserts it holds exactly
    /// the <paramref name="count"/> records <paramref name="client"/> produced, stored with <paramref name="codec"/>.
    /// </summary>
    protected async Task AssertReadBackAsync(ProcessResult result, string topic, int count, string client, string codec)
    {
        var read = DotNet.ConsumeFromBeginning(topic, 0, count, () => Context(result)).Select(r => ObservedRecord.From(r));
        AssertSequence(ObservedRecord.Expected(0, count, client), read, "records Confluent.Kafka read", () => Context(result));
        await AssertStoredCodecAsync(topic, 0, count, codec, result);
    }

    /// <summary>Asserts that every stored batch of the partition uses <paramref name="codec"/> (0 none ... 4 zstd).</summary>
    protected async Task AssertStoredCodecAsync(string topic, int partition, long endOffset, string codec, ProcessResult producer)
    {
        List<StoredBatch> batches;
        try
        {
            batches = await StoredBatches.ReadAsync(Broker.Host, Broker.Port, topic, partition, endOffset);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Assert.Fail($"Reading the stored batches of {topic}[{partition}] with Fetch v4 failed: {e.Message}\n{Context(producer)}");
            throw;
        }

        Assert.True(batches.Count > 0 && batches.All(b => StoredBatch.CodecName(b.Codec) == codec),
            $"Expected every stored batch of {topic}[{partition}] to use {codec}, got: {string.Join(", ", batches)}.\n{Context(producer)}");
    }

    public void Dispose()
    {
        if (TestContext.Current.TestState?.Result == TestResult.Failed)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(Broker.DescribeOutput());
        }

        GC.SuppressFinalize(this);
    }
}
