using Runnel.Storage.Checkpoints;
using Runnel.Storage.IO;
using Runnel.Storage.Log;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.Checkpoints;

public sealed class OffsetCheckpointFileTests : IDisposable
{
    private readonly TempDirectory _temp = new("checkpoint");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Round_trip_keeps_every_entry()
    {
        var path = _temp.Combine(OffsetCheckpointFile.RecoveryPointFileName);
        var offsets = new Dictionary<TopicPartition, long>
        {
            [new("orders", 0)] = 42,
            [new("orders", 11)] = 0,
            [new("my-topic.v2_x", 3)] = long.MaxValue,
        };

        OffsetCheckpointFile.Write(PhysicalFileSystem.Instance, path, offsets);

        Assert.Equal(offsets, OffsetCheckpointFile.Read(PhysicalFileSystem.Instance, path));
        Assert.False(File.Exists(path + OffsetCheckpointFile.TempSuffix));
    }

    [Fact]
    public void Write_is_fsynced_and_the_directory_synced()
    {
        var fs = new FaultyFileSystem();
        OffsetCheckpointFile.Write(fs, _temp.Combine("cp"), [KeyValuePair.Create(new TopicPartition("t", 0), 5L)]);

        Assert.Equal(1, fs.FileSyncCount);
        Assert.Equal(1, fs.DirectorySyncCount);
    }

    [Fact]
    public void Missing_file_reads_as_null()
    {
        Assert.Null(OffsetCheckpointFile.Read(PhysicalFileSystem.Instance, _temp.Combine("none")));
    }

    [Fact]
    public void A_file_from_an_incompatible_future_version_is_rejected()
    {
        var path = _temp.Combine("cp");
        File.WriteAllText(path, "runnel-offset-checkpoint\nversion 3\nmin-compatible-version 2\nentries 0\n");

        Assert.Throws<InvalidDataException>(() => OffsetCheckpointFile.Read(PhysicalFileSystem.Instance, path));
    }

    [Fact]
    public void A_newer_compatible_version_is_read()
    {
        var path = _temp.Combine("cp");
        File.WriteAllText(path, "runnel-offset-checkpoint\nversion 2\nmin-compatible-version 1\nentries 1\nt 0 7\nsomething new\n");

        Assert.Equal(7, OffsetCheckpointFile.Read(PhysicalFileSystem.Instance, path)![new TopicPartition("t", 0)]);
    }

    [Fact]
    public void A_truncated_file_is_rejected()
    {
        var path = _temp.Combine("cp");
        File.WriteAllText(path, "runnel-offset-checkpoint\nversion 1\nmin-compatible-version 1\nentries 2\nt 0 7\n");

        Assert.Throws<InvalidDataException>(() => OffsetCheckpointFile.Read(PhysicalFileSystem.Instance, path));
    }
}
