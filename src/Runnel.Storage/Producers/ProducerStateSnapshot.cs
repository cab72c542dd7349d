using System.Buffers.Binary;
using Runnel.Protocol.Records;
using Runnel.Storage.IO;

namespace Runnel.Storage.Producers;

/// <summary>
/// Producer-state snapshot files (Kafka's <c>&lt;offset&gt;.snapshot</c>, Runnel's own layout in
/// docs/formats/producer-snapshot.md): the state of every producer after all batches below the
/// offset in the name, so opening a log replays only the batches from the newest snapshot on.
/// </summary>
/// <remarks>
/// A snapshot is an optimisation, never the only copy: it is written to a temporary name and renamed,
/// without fsync, and one that is missing, torn or fails its CRC only makes the open replay from an
/// older snapshot or the log start.
/// </remarks>
public static class ProducerStateSnapshot
{
    public const string Extension = ".snapshot";
    public const int Magic = 0x524E5053; // "RNPS"
    /// <summary>2 adds each producer's coordinator epoch and open-transaction first offset; 1 is still read.</summary>
    public const short Version = 2;
    private const int HeaderSize = 4 + 2 + 4 + 4;
    private const int EntryFixedSizeV1 = 8 + 2 + 8 + 1;
    private const int EntryFixedSize = EntryFixedSizeV1 + 4 + 8;
    private const int BatchSize = 4 + 4 + 8 + 8 + 8;

    /// <summary>The file of the snapshot at <paramref name="offset"/>: 20-digit zero-padded offset, as segment files.</summary>
    public static string FilePath(string directory, long offset) => Path.Combine(directory, offset.ToString("D20", System.Globalization.CultureInfo.InvariantCulture) + Extension);

    /// <summary>Offsets of the snapshots in <paramref name="directory"/>, ascending.</summary>
    public static List<long> List(IFileSystem fs, string directory)
    {
        var offsets = new List<long>();
        foreach (var path in fs.ListFiles(directory))
        {
            var name = Path.GetFileName(path);
            if (name.Length == 20 + Extension.Length && name.EndsWith(Extension, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(0, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
            {
                offsets.Add(offset);
            }
        }

        offsets.Sort();
        return offsets;
    }

    /// <summary>Writes the snapshot of <paramref name="producers"/> at <paramref name="offset"/> (temporary file, then rename).</summary>
    public static void Write(IFileSystem fs, string directory, long offset, IReadOnlyCollection<ProducerStateEntry> producers)
    {
        var size = HeaderSize;
        foreach (var entry in producers)
        {
            size += EntryFixedSize + (entry.Batches.Count * BatchSize);
        }

        var bytes = new byte[size];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, Magic);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32BigEndian(span[10..], producers.Count);
        var position = HeaderSize;
        foreach (var entry in producers)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[position..], entry.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(span[(position + 8)..], entry.Epoch);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 10)..], entry.LastTimestamp);
            span[position + 18] = (byte)entry.Batches.Count;
            BinaryPrimitives.WriteInt32BigEndian(span[(position + 19)..], entry.CoordinatorEpoch);
            BinaryPrimitives.WriteInt64BigEndian(span[(position + 23)..], entry.CurrentTxnFirstOffset);
            position += EntryFixedSize;
            foreach (var batch in entry.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[position..], batch.FirstSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[(position + 4)..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 8)..], batch.FirstOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 16)..], batch.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(position + 24)..], batch.MaxTimestamp);
                position += BatchSize;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(span[6..], Crc32C.Compute(span[10..]));
        var path = FilePath(directory, offset);
        var temp = path + ".tmp";
        using (var file = fs.OpenFile(temp, FileMode.Create))
        {
            file.Write(bytes, 0);
        }

        fs.MoveFile(temp, path, overwrite: true);
    }

    /// <summary>The producers stored in the snapshot file, or null when it is unreadable, torn or fails its checks.</summary>
    public static List<ProducerStateEntry>? TryRead(IFileSystem fs, string path)
    {
        byte[] bytes;
        try
        {
            using var file = fs.OpenFile(path, FileMode.Open, FileAccess.Read);
            if (file.Length is < HeaderSize or > 256L * 1024 * 1024)
            {
                return null;
            }

            bytes = new byte[file.Length];
            file.ReadExactly(bytes, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var span = bytes.AsSpan();
        var version = BinaryPrimitives.ReadInt16BigEndian(span[4..]);
        if (BinaryPrimitives.ReadInt32BigEndian(span) != Magic || version is < 1 or > Version
            || BinaryPrimitives.ReadUInt32BigEndian(span[6..]) != Crc32C.Compute(span[10..]))
        {
            return null;
        }

        var entrySize = version == 1 ? EntryFixedSizeV1 : EntryFixedSize;

        var count = BinaryPrimitives.ReadInt32BigEndian(span[10..]);
        var entries = new List<ProducerStateEntry>(Math.Clamp(count, 0, 1024));
        var position = HeaderSize;
        for (var i = 0; i < count; i++)
        {
            if (position + entrySize > span.Length)
            {
                return null;
            }

            var entry = new ProducerStateEntry(BinaryPrimitives.ReadInt64BigEndian(span[position..]));
            entry.Reset(BinaryPrimitives.ReadInt16BigEndian(span[(position + 8)..]));
            entry.LastTimestamp = BinaryPrimitives.ReadInt64BigEndian(span[(position + 10)..]);
            int batches = span[position + 18];
            if (version >= 2)
            {
                entry.CoordinatorEpoch = BinaryPrimitives.ReadInt32BigEndian(span[(position + 19)..]);
                entry.CurrentTxnFirstOffset = BinaryPrimitives.ReadInt64BigEndian(span[(position + 23)..]);
            }

            position += entrySize;
            if (batches > ProducerStateManager.BatchesToRetain || position + (batches * BatchSize) > span.Length)
            {
                return null;
            }

            for (var b = 0; b < batches; b++)
            {
                entry.Add(new ProducerBatch(
                    BinaryPrimitives.ReadInt32BigEndian(span[position..]),
                    BinaryPrimitives.ReadInt32BigEndian(span[(position + 4)..]),
                    BinaryPrimitives.ReadInt64BigEndian(span[(position + 8)..]),
                    BinaryPrimitives.ReadInt64BigEndian(span[(position + 16)..]),
                    BinaryPrimitives.ReadInt64BigEndian(span[(position + 24)..])));
                position += BatchSize;
            }

            entries.Add(entry);
        }

        return position == span.Length ? entries : null;
    }
}
