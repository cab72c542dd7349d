using Runnel.Broker.Metadata;
using Runnel.Storage.IO;

namespace Runnel.Broker.Tests.Metadata;

public sealed class MetadataStoreTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("runnel-metadata-tests-");
    private readonly PhysicalFileSystem _fs = new();

    public void Dispose() => _dir.Delete(recursive: true);

    private string FilePath => Path.Combine(_dir.FullName, MetadataStore.FileName);

    [Fact]
    public void A_file_written_by_the_serializer_based_writer_is_read_whole()
    {
        // The layout MetadataStore wrote with System.Text.Json (source-generated, indented, camelCase) before it used the JSON writer directly.
        File.WriteAllText(FilePath, """
            {
              "version": 1,
              "minCompatibleVersion": 1,
              "clusterId": "q1Sh-9_ISia_zwGINzRvyQ",
              "topics": [
                {
                  "name": "__consumer_offsets",
                  "topicId": "0f6cf4c2-3b0e-4a55-b0d7-21b8f5c0e111",
                  "partitions": 50,
                  "configs": {
                    "cleanup.policy": "compact",
                    "compression.type": "producer"
                  }
                },
                {
                  "name": "orders",
                  "topicId": "7d1c62a0-5d3e-4b2a-9c59-7f3f4b1c2d3e",
                  "partitions": 16,
                  "configs": {}
                }
              ],
              "producerIdBlockEnd": 3000
            }
            """);

        MetadataStore store = MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: null);

        Assert.Equal("q1Sh-9_ISia_zwGINzRvyQ", store.ClusterId);
        Assert.Equal(3000, store.Current.ProducerIdBlockEnd);
        Assert.True(store.Current.TryGetTopic("__consumer_offsets", out TopicMetadata? offsets));
        Assert.Equal(Guid.Parse("0f6cf4c2-3b0e-4a55-b0d7-21b8f5c0e111"), offsets.TopicId);
        Assert.Equal(50, offsets.PartitionCount);
        Assert.Equal("compact", offsets.Configs["cleanup.policy"]);
        Assert.Equal("producer", offsets.Configs["compression.type"]);
        Assert.True(store.Current.TryGetTopic(Guid.Parse("7d1c62a0-5d3e-4b2a-9c59-7f3f4b1c2d3e"), out TopicMetadata? orders));
        Assert.Equal(("orders", 16, 0), (orders.Name, orders.PartitionCount, orders.Configs.Count));
    }

    [Fact]
    public async Task Topics_configs_and_the_producer_id_block_survive_a_reopen()
    {
        MetadataStore first = MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: null);
        var id = Guid.NewGuid();
        var configs = new Dictionary<string, string> { ["retention.ms"] = "-1", ["message.format"] = "quote \" backslash \\ <tag> é" };
        await first.UpdateAsync(image => image.With(new TopicMetadata("t.1", id, 3, configs)).WithProducerIdBlockEnd(7000), CancellationToken.None);

        MetadataStore second = MetadataStore.Open(_fs, _dir.FullName, first.ClusterId);

        Assert.Equal(first.ClusterId, second.ClusterId);
        Assert.Equal(7000, second.Current.ProducerIdBlockEnd);
        Assert.True(second.Current.TryGetTopic("t.1", out TopicMetadata? topic));
        Assert.Equal(id, topic.TopicId);
        Assert.Equal(3, topic.PartitionCount);
        Assert.Equal(configs.OrderBy(c => c.Key), topic.Configs.OrderBy(c => c.Key));
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    public static TheoryData<string> AwkwardValues => new()
    {
        "quote \" and backslash \\ and slash /",
        "newline \n return \r tab \t backspace \b form feed \f nul \0 unit separator \u001f delete \u007f",
        "non-ASCII é ü 中文 and an astral 🙂, line separator \u2028",
        "",
        "{\"looks\": [\"like json\"]}",
    };

    [Theory]
    [MemberData(nameof(AwkwardValues))]
    public void Any_config_value_is_written_as_JSON_and_read_back_unchanged(string value)
    {
        var image = MetadataImage.Empty
            .With(new TopicMetadata("a", Guid.NewGuid(), 1, new Dictionary<string, string> { ["k1"] = value, ["k2"] = "plain" }))
            .With(new TopicMetadata("b", Guid.NewGuid(), 2, new Dictionary<string, string>()))
            .WithProducerIdBlockEnd(1234);

        var bytes = MetadataFile.Write(1, 1, "cl\"uster", image);
        using var parsed = System.Text.Json.JsonDocument.Parse(bytes); // strict RFC 8259 parser: throws on a bad escape
        var read = MetadataFile.Read(bytes, "test");

        Assert.Equal("cl\"uster", read.ClusterId);
        Assert.Equal(1234, read.ProducerIdBlockEnd);
        Assert.Equal(value, read.Topics.Single(t => t.Name == "a").Configs["k1"]);
        Assert.Equal("plain", read.Topics.Single(t => t.Name == "a").Configs["k2"]);
        Assert.Empty(read.Topics.Single(t => t.Name == "b").Configs);
    }

    [Fact]
    public void The_file_is_laid_out_as_the_JSON_writer_indents_it()
    {
        var image = MetadataImage.Empty
            .With(new TopicMetadata("orders", Guid.Parse("7d1c62a0-5d3e-4b2a-9c59-7f3f4b1c2d3e"), 16, new Dictionary<string, string> { ["cleanup.policy"] = "compact", ["retention.ms"] = "-1" }))
            .With(new TopicMetadata("empty-configs", Guid.Parse("0f6cf4c2-3b0e-4a55-b0d7-21b8f5c0e111"), 1, new Dictionary<string, string>()))
            .WithProducerIdBlockEnd(3000);
        foreach (var subject in new[] { image, MetadataImage.Empty })
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", 1);
                writer.WriteNumber("minCompatibleVersion", 1);
                writer.WriteString("clusterId", "q1Sh-9_ISia_zwGINzRvyQ");
                writer.WriteStartArray("topics");
                foreach (var topic in subject.Topics)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", topic.Name);
                    writer.WriteString("topicId", topic.TopicId);
                    writer.WriteNumber("partitions", topic.PartitionCount);
                    writer.WriteStartObject("configs");
                    foreach (var (key, value) in topic.Configs)
                    {
                        writer.WriteString(key, value);
                    }

                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteNumber("producerIdBlockEnd", subject.ProducerIdBlockEnd);
                writer.WriteEndObject();
            }

            Assert.Equal(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan), System.Text.Encoding.UTF8.GetString(MetadataFile.Write(1, 1, "q1Sh-9_ISia_zwGINzRvyQ", subject)));
        }
    }

    [Fact]
    public void A_fresh_directory_gets_a_durable_cluster_id()
    {
        MetadataStore first = MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: null);
        MetadataStore second = MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: null);

        Assert.Equal(22, first.ClusterId.Length);
        Assert.Equal(first.ClusterId, second.ClusterId);
        Assert.Empty(second.Current.Topics);
    }

    [Fact]
    public void A_file_from_a_newer_format_is_refused()
    {
        File.WriteAllText(FilePath, """{"version": 2, "minCompatibleVersion": 2, "clusterId": "x", "topics": [], "newField": [1, 2]}""");

        var e = Assert.Throws<InvalidDataException>(() => MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: null));
        Assert.Contains("newer Runnel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_from_a_compatible_writer_are_ignored()
    {
        File.WriteAllText(FilePath, """{"version": 2, "minCompatibleVersion": 1, "clusterId": "abc", "future": {"a": [1]}, "topics": [{"name": "t", "topicId": "7d1c62a0-5d3e-4b2a-9c59-7f3f4b1c2d3e", "partitions": 1, "extra": true}]}""");

        MetadataStore store = MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: null);

        Assert.Equal("abc", store.ClusterId);
        Assert.True(store.Current.TryGetTopic("t", out TopicMetadata? topic));
        Assert.Empty(topic.Configs);
        Assert.Equal(0, store.Current.ProducerIdBlockEnd);
    }

    [Fact]
    public void Another_clusters_data_is_refused()
    {
        MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: "cluster-a");

        var e = Assert.Throws<InvalidDataException>(() => MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: "cluster-b"));
        Assert.Contains("belongs to cluster cluster-a", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"version\": 1, \"topics\": [")]
    [InlineData("[1, 2]")]
    [InlineData("{\"version\": \"one\"}")]
    [InlineData("{\"version\": 1, \"minCompatibleVersion\": 1, \"clusterId\": \"c\", \"topics\": [{\"name\": \"t\", \"topicId\": \"not-a-guid\"}]}")]
    public void A_damaged_file_is_an_error_naming_the_file(string text)
    {
        File.WriteAllText(FilePath, text);

        var e = Assert.Throws<InvalidDataException>(() => MetadataStore.Open(_fs, _dir.FullName, configuredClusterId: null));
        Assert.Contains(MetadataStore.FileName, e.Message, StringComparison.Ordinal);
    }
}
