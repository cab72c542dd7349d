using Runnel.Storage.IO;

namespace Runnel.TestKit;

/// <summary>
/// Wraps a real <see cref="IFileSystem"/> and injects the failures storage must survive (after
/// FASTER's <c>SimulatedFlakyDevice</c> and Redpanda's <c>file_sanitizer</c>): failed fsync, torn
/// writes (a prefix is written, then the write throws), a full disk, held fsyncs (to line up group
/// commit waiters), and <see cref="Crash"/>, which drops every byte not covered by an fsync.
/// </summary>
/// <remarks>
/// Crash model: for each file opened through this instance we remember its length at the last
/// successful fsync (files created here start at 0; files that existed before are assumed durable).
/// <see cref="Crash"/> kills every open handle (later calls throw <see cref="IOException"/>) and
/// truncates each file to that length. It does not model lost renames or directory entries, reordered
/// page writes within the durable range, or truncations that fail to persist.
/// Thread-safe.
/// </remarks>
public sealed class FaultyFileSystem(IFileSystem inner) : IFileSystem
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _durableLength = new(StringComparer.Ordinal);
    private readonly List<FaultyFile> _open = [];
    private int _fileSyncCount;
    private int _directorySyncCount;
    private int _fsyncsWaiting;
    private Func<string, bool>? _failFsync;
    private int _failFsyncRemaining;
    private Func<string, bool>? _tearWrite;
    private int _tearPrefix;
    private volatile bool _diskFull;
    private ManualResetEventSlim? _fsyncGate;

    public FaultyFileSystem()
        : this(PhysicalFileSystem.Instance)
    {
    }

    /// <summary>
    /// Called before every file create/open, write, fsync, set-length, rename, delete and directory
    /// fsync, with the operation and the path; an exception thrown from it fails that operation
    /// before it happens (to fail or crash "after step N" of a multi-file protocol).
    /// </summary>
    public Action<FileOperation, string>? BeforeOperation { get; set; }

    /// <summary>File fsyncs attempted (successful or failed).</summary>
    public int FileSyncCount => Volatile.Read(ref _fileSyncCount);

    public int DirectorySyncCount => Volatile.Read(ref _directorySyncCount);

    /// <summary>fsyncs currently blocked by <see cref="HoldFsyncs"/>.</summary>
    public int FsyncsWaiting => Volatile.Read(ref _fsyncsWaiting);

    /// <summary>While true, every write throws "no space left on device" without writing.</summary>
    public bool DiskFull
    {
        get => _diskFull;
        set => _diskFull = value;
    }

    /// <summary>The next <paramref name="times"/> file fsyncs whose path matches fail with <see cref="IOException"/>.</summary>
    public void FailFsync(Func<string, bool>? pathMatches = null, int times = int.MaxValue)
    {
        lock (_lock)
        {
            _failFsync = pathMatches ?? (static _ => true);
            _failFsyncRemaining = times;
        }
    }

    /// <summary>The next write to a matching path writes only its first <paramref name="bytesWritten"/> bytes, then throws.</summary>
    public void TearNextWrite(int bytesWritten, Func<string, bool>? pathMatches = null)
    {
        lock (_lock)
        {
            _tearWrite = pathMatches ?? (static _ => true);
            _tearPrefix = bytesWritten;
        }
    }

    /// <summary>Blocks every file fsync until the returned handle is disposed.</summary>
    public IDisposable HoldFsyncs()
    {
        var gate = new ManualResetEventSlim(false);
        Volatile.Write(ref _fsyncGate, gate);
        return new Release(this, gate);
    }

    public void ClearFaults()
    {
        lock (_lock)
        {
            _failFsync = null;
            _tearWrite = null;
            _diskFull = false;
        }
    }

    /// <summary>
    /// Simulates power loss: every open handle dies and every file loses the bytes written after its
    /// last fsync. The files can then be reopened through this instance (or a new one).
    /// </summary>
    public void Crash()
    {
        lock (_lock)
        {
            foreach (var file in _open)
            {
                file.Kill();
            }

            _open.Clear();
            foreach (var (path, durable) in _durableLength)
            {
                if (!inner.FileExists(path))
                {
                    continue;
                }

                using var file = inner.OpenFile(path, FileMode.Open);
                if (file.Length > durable)
                {
                    file.SetLength(durable);
                }
            }
        }
    }

    public IStorageFile OpenFile(string path, FileMode mode, FileAccess access = FileAccess.ReadWrite)
    {
        BeforeOperation?.Invoke(FileOperation.Open, path);
        var existed = inner.FileExists(path);
        var file = inner.OpenFile(path, mode, access);
        lock (_lock)
        {
            var fresh = !existed || mode is FileMode.Create or FileMode.CreateNew or FileMode.Truncate;
            if (fresh)
            {
                _durableLength[path] = 0;
            }
            else if (!_durableLength.ContainsKey(path))
            {
                _durableLength[path] = file.Length;
            }

            var faulty = new FaultyFile(this, file);
            _open.Add(faulty);
            return faulty;
        }
    }

    public bool FileExists(string path) => inner.FileExists(path);

    public bool DirectoryExists(string path) => inner.DirectoryExists(path);

    public void DeleteFile(string path)
    {
        BeforeOperation?.Invoke(FileOperation.Delete, path);
        inner.DeleteFile(path);
        lock (_lock)
        {
            _durableLength.Remove(path);
        }
    }

    public void MoveFile(string source, string destination, bool overwrite)
    {
        BeforeOperation?.Invoke(FileOperation.Move, source);
        inner.MoveFile(source, destination, overwrite);
        lock (_lock)
        {
            if (_durableLength.Remove(source, out var durable))
            {
                _durableLength[destination] = durable;
            }
        }
    }

    public void MoveDirectory(string source, string destination)
    {
        BeforeOperation?.Invoke(FileOperation.Move, source);
        inner.MoveDirectory(source, destination);
        lock (_lock)
        {
            var prefix = source.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            foreach (var path in _durableLength.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _durableLength.Remove(path, out var durable);
                _durableLength[Path.Combine(destination, path[prefix.Length..])] = durable;
            }
        }
    }

    public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

    public IReadOnlyList<string> ListDirectories(string directory) => inner.ListDirectories(directory);

    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public void DeleteDirectory(string path, bool recursive)
    {
        inner.DeleteDirectory(path, recursive);
        lock (_lock)
        {
            var prefix = path.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            foreach (var key in _durableLength.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _durableLength.Remove(key);
            }
        }
    }

    public void SyncDirectory(string path)
    {
        BeforeOperation?.Invoke(FileOperation.SyncDirectory, path);
        Interlocked.Increment(ref _directorySyncCount);
        inner.SyncDirectory(path);
    }

    private void BeforeWrite(FaultyFile file, ReadOnlySpan<byte> data, long position)
    {
        BeforeOperation?.Invoke(FileOperation.Write, file.Path);
        if (_diskFull)
        {
            throw new IOException($"No space left on device (simulated) writing {file.Path}.");
        }

        int prefix;
        lock (_lock)
        {
            if (_tearWrite is null || !_tearWrite(file.Path))
            {
                return;
            }

            _tearWrite = null;
            prefix = Math.Min(_tearPrefix, data.Length);
        }

        file.Inner.Write(data[..prefix], position);
        throw new IOException($"Torn write (simulated): {prefix} of {data.Length} bytes written to {file.Path} at {position}.");
    }

    private void DoFlush(FaultyFile file)
    {
        BeforeOperation?.Invoke(FileOperation.Flush, file.Path);
        Interlocked.Increment(ref _fileSyncCount);
        var gate = Volatile.Read(ref _fsyncGate);
        if (gate is not null)
        {
            Interlocked.Increment(ref _fsyncsWaiting);
            try
            {
                gate.Wait();
            }
            finally
            {
                Interlocked.Decrement(ref _fsyncsWaiting);
            }
        }

        lock (_lock)
        {
            if (_failFsync is not null && _failFsync(file.Path) && _failFsyncRemaining > 0)
            {
                _failFsyncRemaining--;
                throw new IOException($"fsync failed (simulated) for {file.Path}.");
            }
        }

        file.CheckAlive();
        var length = file.Inner.Length;
        file.Inner.Flush();
        lock (_lock)
        {
            if (!file.Dead)
            {
                _durableLength[file.Path] = length;
            }
        }
    }

    private void BeforeSetLength(FaultyFile file) => BeforeOperation?.Invoke(FileOperation.SetLength, file.Path);

    private void OnSetLength(FaultyFile file, long length)
    {
        lock (_lock)
        {
            if (_durableLength.TryGetValue(file.Path, out var durable) && durable > length)
            {
                _durableLength[file.Path] = length;
            }
        }
    }

    private void OnDispose(FaultyFile file)
    {
        lock (_lock)
        {
            _open.Remove(file);
        }
    }

    private sealed class Release(FaultyFileSystem owner, ManualResetEventSlim gate) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.CompareExchange(ref owner._fsyncGate, null, gate);
            gate.Set();
        }
    }

    private sealed class FaultyFile(FaultyFileSystem owner, IStorageFile inner) : IStorageFile
    {
        private volatile bool _dead;

        public IStorageFile Inner => inner;

        public bool Dead => _dead;

        public string Path => inner.Path;

        public long Length
        {
            get
            {
                CheckAlive();
                return inner.Length;
            }
        }

        public int Read(Span<byte> buffer, long position)
        {
            CheckAlive();
            return inner.Read(buffer, position);
        }

        public void Write(ReadOnlySpan<byte> data, long position)
        {
            CheckAlive();
            owner.BeforeWrite(this, data, position);
            inner.Write(data, position);
        }

        public void Flush()
        {
            CheckAlive();
            owner.DoFlush(this);
        }

        public ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
            new(Task.Run(Flush, cancellationToken));

        public void SetLength(long length)
        {
            CheckAlive();
            owner.BeforeSetLength(this);
            inner.SetLength(length);
            owner.OnSetLength(this, length);
        }

        public void Kill()
        {
            _dead = true;
            inner.Dispose();
        }

        public void CheckAlive()
        {
            if (_dead)
            {
                throw new IOException($"{Path}: the handle died in a simulated crash.");
            }
        }

        public void Dispose()
        {
            if (!_dead)
            {
                inner.Dispose();
            }

            owner.OnDispose(this);
        }
    }
}
