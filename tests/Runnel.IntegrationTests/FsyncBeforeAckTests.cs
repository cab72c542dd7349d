using Runnel.Broker;
using Runnel.Broker.Configuration;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.TestKit;

namespace Runnel.IntegrationTests;

/// <summary>
/// With <c>runnel.log.flush.on.acks.all=true</c> an acks -1 produce is answered once every partition
/// it appended to is fsynced. The wait is one reusable object per connection (ProduceFlushWait), so
/// requests in a row on one connection must each wait for their own partitions, and a partition whose
/// fsync fails answers KAFKA_STORAGE_ERROR without failing the others.
/// </summary>
public sealed class FsyncBeforeAckTests
{
    private const string Topic = "fsync-before-ack";

    [Fact]
    public async Task Acks_all_is_answered_after_the_fsync_of_every_partition_request_after_request()
    {
        using var dir = new TempDirectory();
        var fs = new FaultyFileSystem();
        await using var host = await StartAsync(dir, fs);
        await using var client = await WireClient.ConnectAsync("127.0.0.1", host.Listeners[0].BoundEndPoint.Port, TestContext.Current.CancellationToken);

        var first = await client.SendAsync<ProduceResponse>(WireRequests.Produce(-1, (Topic, [0, 1])), 9, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([ErrorCode.None, ErrorCode.None], first.Responses[0].PartitionResponses.Select(p => (ErrorCode)p.ErrorCode));

        Task<ProduceResponse> held;
        using (fs.HoldFsyncs())
        {
            held = client.SendAsync<ProduceResponse>(WireRequests.Produce(-1, (Topic, [1])), 9, cancellationToken: TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => fs.FsyncsWaiting > 0, "the request's fsync started");
            await Task.Delay(50, TestContext.Current.CancellationToken);
            Assert.False(held.IsCompleted, "answered before its fsync finished");
        }

        var second = await Eventually.WithinAsync(held, "the answer after the fsync");
        var only = Assert.Single(Assert.Single(second.Responses).PartitionResponses);
        Assert.Equal((1, (short)ErrorCode.None, 1L), (only.Index, only.ErrorCode, only.BaseOffset));
        Assert.True(host.Partitions.TryGet(Topic, 1, out var partition));
        Assert.Equal(2, partition.Log.RecoveryPoint);
    }

    [Fact]
    public async Task A_partition_whose_fsync_fails_answers_storage_error_and_the_others_are_still_acknowledged()
    {
        using var dir = new TempDirectory();
        var fs = new FaultyFileSystem();
        await using var host = await StartAsync(dir, fs);
        await using var client = await WireClient.ConnectAsync("127.0.0.1", host.Listeners[0].BoundEndPoint.Port, TestContext.Current.CancellationToken);

        // A failed fsync takes its whole log directory offline (as in Kafka): the partitions are in two.
        Assert.True(host.Partitions.TryGet(Topic, 0, out var failing));
        Assert.True(host.Partitions.TryGet(Topic, 1, out var healthy));
        var failingDir = Path.GetDirectoryName(failing.Log.Directory)!;
        Assert.NotEqual(failingDir, Path.GetDirectoryName(healthy.Log.Directory));
        fs.FailFsync(path => path.StartsWith(failingDir + "/", StringComparison.Ordinal));

        var failed = await client.SendAsync<ProduceResponse>(WireRequests.Produce(-1, (Topic, [0, 1])), 9, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([ErrorCode.KafkaStorageError, ErrorCode.None], failed.Responses[0].PartitionResponses.Select(p => (ErrorCode)p.ErrorCode));

        // The next request on the connection waits for its own partition only.
        var next = await client.SendAsync<ProduceResponse>(WireRequests.Produce(-1, (Topic, [1])), 9, cancellationToken: TestContext.Current.CancellationToken);
        var only = Assert.Single(Assert.Single(next.Responses).PartitionResponses);
        Assert.Equal((1, (short)ErrorCode.None, 1L), (only.Index, only.ErrorCode, only.BaseOffset));
    }

    private static async Task<BrokerHost> StartAsync(TempDirectory dir, FaultyFileSystem fs)
    {
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = $"{dir.Path}/a,{dir.Path}/b",
            ["runnel.log.flush.on.acks.all"] = "true",
        });
        var host = await BrokerHost.StartAsync(config, fileSystem: fs, cancellationToken: TestContext.Current.CancellationToken);
        var created = await host.Topics.CreateTopicAsync(Topic, 2, new Dictionary<string, string>(), validateOnly: false, TestContext.Current.CancellationToken);
        Assert.Equal(ErrorCode.None, created.Error);
        return host;
    }
}
