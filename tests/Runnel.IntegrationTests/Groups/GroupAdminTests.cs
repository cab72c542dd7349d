using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Runnel.IntegrationTests.Groups;

/// <summary>ListGroups and DescribeGroups through Confluent.Kafka's AdminClient, with a live consumer group.</summary>
[Collection(BrokerCollection.Name)]
public sealed class GroupAdminTests(BrokerFixture fixture)
{
    [Fact]
    public async Task A_live_group_is_listed_and_described_with_its_member_and_assignment()
    {
        var topic = await fixture.CreateTopicAsync(partitions: 2);
        var group = "admin-" + Guid.NewGuid().ToString("N");
        using var consumer = fixture.CreateConsumer(c =>
        {
            c.GroupId = group;
            c.ClientId = "describe-me";
            c.SessionTimeoutMs = 10_000;
        });
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (consumer.Assignment.Count < 2 && DateTime.UtcNow < deadline)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(200));
        }

        Assert.Equal(2, consumer.Assignment.Count);

        using var admin = fixture.CreateAdmin();
        var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchStates = [ConsumerGroupState.Stable] });
        var listing = Assert.Single(listed.Valid, g => g.GroupId == group);
        Assert.Equal(ConsumerGroupState.Stable, listing.State);
        Assert.True(listing.IsSimpleConsumerGroup is false);

        var described = await admin.DescribeConsumerGroupsAsync([group]);
        var description = Assert.Single(described.ConsumerGroupDescriptions);
        Assert.Equal(ConsumerGroupState.Stable, description.State);
        Assert.Equal(ErrorCode.NoError, description.Error.Code);
        var member = Assert.Single(description.Members);
        Assert.Equal("describe-me", member.ClientId);
        Assert.Equal([0, 1], member.Assignment.TopicPartitions.Where(tp => tp.Topic == topic).Select(tp => tp.Partition.Value).Order());

        consumer.Close();
        var after = await admin.DescribeConsumerGroupsAsync([group]);
        Assert.Equal(ConsumerGroupState.Empty, Assert.Single(after.ConsumerGroupDescriptions).State);
    }

    [Fact]
    public async Task A_state_filter_leaves_out_groups_in_other_states()
    {
        using var admin = fixture.CreateAdmin();

        // Resume off the admin client's poll thread: should the call fail, disposing the client on
        // its own poll thread would wait for itself.
        var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { MatchStates = [ConsumerGroupState.Dead] })
            .ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.ContinueOnCapturedContext);
        Assert.Empty(listed.Valid);
    }
}
