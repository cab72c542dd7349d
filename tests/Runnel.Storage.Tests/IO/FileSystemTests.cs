using Runnel.Storage.IO;
using Runnel.TestKit;

namespace Runnel.Storage.Tests.IO;

public sealed class FileSystemTests : IDisposable
{
    private readonly TempDirectory _temp = new("io");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Physical_file_supports_positional_reads_writes_truncation_and_fsync()
    {
        var fs = PhysicalFileSystem.Instance;
        using var file = fs.OpenFile(_temp.Combine("a"), FileMode.Create);
        file.Write([1, 2, 3, 4], 0);
        file.Write([9, 9], 6);
        file.Flush();

        Assert.Equal(8, file.Length);
        var buffer = new byte[8];
        file.ReadExactly(buffer, 0);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0, 0, 9, 9 }, buffer);

        file.SetLength(3);
        Assert.Equal(3, file.ReadAtMost(buffer, 0));
    }

    [Fact]
    public void Physical_directory_fsync_works()
    {
        PhysicalFileSystem.Instance.SyncDirectory(_temp.Path);
    }

    [Fact]
    public void Physical_directory_fsync_of_a_missing_directory_throws()
    {
        Assert.ThrowsAny<IOException>(() => PhysicalFileSystem.Instance.SyncDirectory(_temp.Combine("missing")));
    }

    [Fact]
    public void Crash_drops_bytes_written_after_the_last_fsync()
    {
        var fs = new FaultyFileSystem();
        var path = _temp.Combine("f");
        var file = fs.OpenFile(path, FileMode.Create);
        file.Write([1, 2, 3], 0);
        file.Flush();
        file.Write([4, 5], 3);

        fs.Crash();

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Throws<IOException>(() => file.Write([6], 0));
    }

    [Fact]
    public void Crash_empties_a_created_file_that_was_never_fsynced()
    {
        var fs = new FaultyFileSystem();
        var path = _temp.Combine("f");
        using (var file = fs.OpenFile(path, FileMode.Create))
        {
            file.Write([1, 2, 3], 0);
        }

        fs.Crash();

        Assert.Empty(File.ReadAllBytes(path));
    }

    [Fact]
    public void Torn_write_writes_a_prefix_then_throws()
    {
        var fs = new FaultyFileSystem();
        var path = _temp.Combine("f");
        using var file = fs.OpenFile(path, FileMode.Create);
        fs.TearNextWrite(2);

        Assert.Throws<IOException>(() => file.Write([1, 2, 3, 4], 0));

        Assert.Equal(2, file.Length);
        file.Write([7], 2); // only the next write tears
        Assert.Equal(3, file.Length);
    }

    [Fact]
    public void Failed_fsync_throws_and_is_counted()
    {
        var fs = new FaultyFileSystem();
        using var file = fs.OpenFile(_temp.Combine("f"), FileMode.Create);
        fs.FailFsync(times: 1);

        Assert.Throws<IOException>(file.Flush);
        file.Flush();

        Assert.Equal(2, fs.FileSyncCount);
    }
}
