using System.Text.Json;
using Runnel.TestKit;

namespace Runnel.Compat.Infrastructure;

/// <summary>Group scenarios with several client processes in one group at the same time.</summary>
public abstract partial class CompatTest
{
    /// <summary>Records in partitions 0 and 1: different counts, so a member that stops at the wrong high watermark shows.</summary>
    private static readonly int[] SplitCounts = [12, 8];

    /// <summary>
    /// Starts a member process: (topic, group, linger file) to a process running a client's
    /// group-member scenario, which prints "assigned", "record", "done" (its partitions and commits)
    /// and "left" lines.
    /// </summary>
    protected delegate Task<RunningProcess> StartGroupMember(string topic, string group, string lingerFile);

    /// <summary>
    /// Two concurrent members of one new group on a 2-partition topic that Confluent.Kafka filled:
    /// each must end up owning one partition, read exactly that partition's records and commit its
    /// end. The members stay in the group until both reported "done" (then the test creates the
    /// linger file), so neither one's LeaveGroup rebalances the other mid-way. The commits are read
    /// back with Confluent.Kafka.
    /// </summary>
    /// <param name="client">Names the topic and group.</param>
    /// <param name="secondJoinsLater">
    /// false: both processes start at once (they may join in one generation or in two);
    /// true: the second starts once the first reported its first assignment, which must then be
    /// both partitions (the first is alone and the group's leader), so the broker has to rebalance a
    /// stable group when the second joins, and the first must hold off until that is done.
    /// </param>
    /// <param name="firstName">The first member in failure messages.</param>
    /// <param name="first">Starts the first member.</param>
    /// <param name="secondName">The second member in failure messages.</param>
    /// <param name="second">Starts the second member.</param>
    protected async Task AssertTwoMembersSplitThePartitionsAsync(
        string client, bool secondJoinsLater, string firstName, StartGroupMember first, string secondName, StartGroupMember second)
    {
        var topic = await DotNet.CreateTopicAsync(client, partitions: 2);
        var group = client + "-" + Guid.NewGuid().ToString("N");
        var firstTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        for (var partition = 0; partition < 2; partition++)
        {
            await DotNet.ProduceAsync(topic, partition, ObservedRecord.Messages(SplitCounts[partition], "dotnet", firstTimestamp));
        }

        using var directory = new TempDirectory("compat-group");
        var lingerFile = directory.Combine("both-done");
        ProcessResult firstResult, secondResult;
        await using (var firstMember = await first(topic, group, lingerFile))
        {
            if (secondJoinsLater)
            {
                await firstMember.WaitForEventAsync("assigned");
            }

            await using var secondMember = await second(topic, group, lingerFile);
            // Each wait ends at "done" or when the process exits (at the latest, killed at its timeout).
            await Task.WhenAll(firstMember.WaitForEventAsync("done"), secondMember.WaitForEventAsync("done"));
            await File.WriteAllTextAsync(lingerFile, "both members reported done\n", TestContext.Current.CancellationToken);
            firstResult = await firstMember.WaitForExitAsync();
            secondResult = await secondMember.WaitForExitAsync();
        }

        string Transcripts() => Context(firstResult, secondResult);
        Assert.True(firstResult.Succeeded && secondResult.Succeeded, $"A group member did not complete ({firstName}, then {secondName}).\n{Transcripts()}");
        if (secondJoinsLater)
        {
            AssertSequence([0, 1], Partitions(firstResult.JsonLines.Events("assigned").FirstOrDefault()), $"first assignment of {firstName}, alone in the group", Transcripts);
        }

        var firstPartitions = DonePartitions(firstResult);
        var secondPartitions = DonePartitions(secondResult);
        AssertEqual(1, firstPartitions.Count, $"number of partitions {firstName} owned when done ([{string.Join(',', firstPartitions)}])", Transcripts);
        AssertEqual(1, secondPartitions.Count, $"number of partitions {secondName} owned when done ([{string.Join(',', secondPartitions)}])", Transcripts);
        AssertSequence([0, 1], firstPartitions.Concat(secondPartitions).Order(), "partitions the two members owned when done", Transcripts);
        AssertSequence(
            ObservedRecord.Expected(firstPartitions[0], SplitCounts[firstPartitions[0]], "dotnet", firstTimestamp),
            firstResult.JsonLines.Events("record").Select(ObservedRecord.FromJson),
            $"records {firstName} read",
            Transcripts);
        AssertSequence(
            ObservedRecord.Expected(secondPartitions[0], SplitCounts[secondPartitions[0]], "dotnet", firstTimestamp),
            secondResult.JsonLines.Events("record").Select(ObservedRecord.FromJson),
            $"records {secondName} read",
            Transcripts);
        AssertSequence(SplitCounts.Select(c => (long)c), DotNet.Committed(group, topic, 2), "offsets the group committed (Confluent.Kafka)", Transcripts);
    }

    private List<int> DonePartitions(ProcessResult result) => Partitions(SingleEvent(result, "done"));

    private static List<int> Partitions(JsonElement line) =>
        line.ValueKind == JsonValueKind.Object ? [.. line.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32())] : [];
}
