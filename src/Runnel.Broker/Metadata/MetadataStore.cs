using Runnel.Storage.IO;

namespace Runnel.Broker.Metadata;

/// <summary>
/// Durable topic metadata for a single node: the whole image is written to
/// <c>&lt;metadata dir&gt;/runnel-metadata.json</c> on every change, atomically (write a temp file,
/// fsync, rename over the old one, fsync the directory), so a crash leaves either the old or the
/// new image, never a torn one. Format: docs/formats/metadata.md. Changes are serialised by one
/// async lock; readers take <see cref="Current"/> without locking.
/// A replicated metadata log (KRaft's role) replaces this class when Runnel becomes a cluster.
/// </summary>
public sealed class MetadataStore
{
    public const string FileName = "runnel-metadata.json";
    private const int FormatVersion = 1;
    private const int MinCompatibleVersion = 1;

    private readonly IFileSystem _fs;
    private readonly string _directory;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile MetadataImage _current = MetadataImage.Empty;

    private MetadataStore(IFileSystem fs, string directory, string clusterId)
    {
        _fs = fs;
        _directory = directory;
        ClusterId = clusterId;
    }

    public string ClusterId { get; }

    public MetadataImage Current => _current;

    /// <summary>Loads the image (or starts empty with a new cluster id when there is none).</summary>
    public static MetadataStore Open(IFileSystem fs, string directory, string? configuredClusterId)
    {
        fs.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        if (!fs.FileExists(path))
        {
            var store = new MetadataStore(fs, directory, configuredClusterId ?? KafkaUuid.NewString());
            store.Persist(MetadataImage.Empty);
            return store;
        }

        using var file = fs.OpenFile(path, FileMode.Open, FileAccess.Read);
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes, 0);
        var doc = MetadataFile.Read(bytes, path);
        if (doc.MinCompatibleVersion > FormatVersion)
        {
            throw new InvalidDataException($"{path}: written by a newer Runnel (format {doc.Version}, needs reader {doc.MinCompatibleVersion}); this one reads {FormatVersion}");
        }

        if (configuredClusterId is not null && configuredClusterId != doc.ClusterId)
        {
            throw new InvalidDataException($"{path}: the data belongs to cluster {doc.ClusterId}, but cluster.id is {configuredClusterId}");
        }

        var topics = new Dictionary<string, TopicMetadata>(StringComparer.Ordinal);
        foreach (var topic in doc.Topics)
        {
            topics[topic.Name] = topic;
        }

        return new MetadataStore(fs, directory, doc.ClusterId) { _current = new MetadataImage(topics).WithProducerIdBlockEnd(doc.ProducerIdBlockEnd) };
    }

    /// <summary>Applies <paramref name="change"/> to the current image and persists it before publishing.</summary>
    public async Task<MetadataImage> UpdateAsync(Func<MetadataImage, MetadataImage> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var next = change(_current);
            if (!ReferenceEquals(next, _current))
            {
                // Off the request thread: the file write and fsyncs are blocking I/O.
                await Task.Run(() => Persist(next), CancellationToken.None);
                _current = next;
            }

            return next;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Persist(MetadataImage image)
    {
        var bytes = MetadataFile.Write(FormatVersion, MinCompatibleVersion, ClusterId, image);
        var path = Path.Combine(_directory, FileName);
        var temp = path + ".tmp";
        using (var file = _fs.OpenFile(temp, FileMode.Create))
        {
            file.Write(bytes, 0);
            file.Flush();
        }

        _fs.MoveFile(temp, path, overwrite: true);
        _fs.SyncDirectory(_directory);
    }
}
