using Runnel.Broker.Configuration;
using Runnel.Broker.Metadata;
using Runnel.Protocol;
using Runnel.TestKit;

namespace Runnel.Broker.Tests.Metadata;

/// <summary>
/// Creating, growing and deleting a topic creates, renames and fsyncs files: that blocking work must
/// not run on the caller's thread, which is a request's (in <c>runnel broker</c> the socket engine
/// thread every connection shares).
/// </summary>
public sealed class TopicFileWorkTests
{
    private const string Topic = "file-work";

    [Theory]
    [InlineData("create")]
    [InlineData("grow")]
    [InlineData("delete")]
    public async Task A_topic_change_leaves_the_callers_thread_while_its_log_files_are_written(string change)
    {
        using var dir = new TempDirectory();
        var fs = new FaultyFileSystem();
        var config = BrokerConfig.FromProperties(new Dictionary<string, string>
        {
            ["listeners"] = "PLAINTEXT://127.0.0.1:0",
            ["log.dirs"] = dir.Path,
        });
        await using var host = await BrokerHost.StartAsync(config, fileSystem: fs, cancellationToken: TestContext.Current.CancellationToken);
        var topics = host.Topics;
        if (change != "create")
        {
            Assert.Equal(ErrorCode.None, (await topics.CreateTopicAsync(Topic, 2, new Dictionary<string, string>(), validateOnly: false, TestContext.Current.CancellationToken)).Error);
        }

        // Every file operation on the topic's logs waits until the test opens the gate.
        using var gate = new ManualResetEventSlim();
        var blocked = 0;
        fs.BeforeOperation = (_, path) =>
        {
            if (path.Contains(Topic, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref blocked);
                gate.Wait();
            }
        };

        Task<TopicOperationResult>? pending = null;
        var caller = new Thread(() => pending = change switch
        {
            "create" => topics.CreateTopicAsync(Topic, 2, new Dictionary<string, string>(), validateOnly: false, CancellationToken.None),
            "grow" => topics.CreatePartitionsAsync(Topic, 4, validateOnly: false, CancellationToken.None),
            _ => topics.DeleteTopicAsync(Topic, Guid.Empty, CancellationToken.None),
        });
        caller.Start();
        var returned = caller.Join(Eventually.DefaultTimeout);
        try
        {
            Assert.True(returned, "the call held its thread while the log files were written");
            await Eventually.TrueAsync(() => Volatile.Read(ref blocked) > 0, "the log files were never touched");
            Assert.False(pending!.IsCompleted);
        }
        finally
        {
            gate.Set();
        }

        var result = await pending!;
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(change switch { "create" => 2, "grow" => 4, _ => 0 }, host.Topics.Image.TryGetTopic(Topic, out var topic) ? topic.PartitionCount : 0);
    }
}
