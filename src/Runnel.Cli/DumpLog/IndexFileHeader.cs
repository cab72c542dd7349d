using System.Buffers.Binary;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// The 16-byte header of Runnel's <c>.index</c> and <c>.timeindex</c> files (docs/formats/index.md):
/// magic, version, min-compatible version, base offset; then whole fixed-size big-endian entries.
/// </summary>
/// <param name="BaseOffset">The segment's base offset (the file name's when it disagrees with the header).</param>
/// <param name="Count">Whole entries in the file.</param>
/// <param name="Problem">What is wrong with the file, or null; see <paramref name="Readable"/>.</param>
/// <param name="Readable">Whether the entries can be read at all (false: wrong magic, unknown version, no header).</param>
internal readonly record struct IndexFileHeader(long BaseOffset, long Count, string? Problem, bool Readable)
{
    public const int Size = 16;

    /// <summary>The index format this tool reads.</summary>
    public const short ReaderVersion = 1;

    /// <summary>"RNOI".</summary>
    public const uint OffsetIndexMagic = 0x524E4F49;

    /// <summary>"RNTI".</summary>
    public const uint TimeIndexMagic = 0x524E5449;

    public const int OffsetEntrySize = 8;

    public const int TimeEntrySize = 12;

    /// <summary>Reads and checks the header the way the broker does when it loads an index.</summary>
    public static IndexFileHeader Read(BufferedFileReader file, uint magic, int entrySize)
    {
        bool named = DumpFileNames.TryParseBaseOffset(file.Path, out long nameBaseOffset);
        if (file.Length < Size)
        {
            return new(nameBaseOffset, 0, $"length {file.Length} is shorter than the {Size}-byte header", Readable: false);
        }

        ReadOnlySpan<byte> header = file.Read(0, Size);
        uint actualMagic = BinaryPrimitives.ReadUInt32BigEndian(header);
        short version = BinaryPrimitives.ReadInt16BigEndian(header[4..]);
        short minCompatible = BinaryPrimitives.ReadInt16BigEndian(header[6..]);
        long headerBaseOffset = BinaryPrimitives.ReadInt64BigEndian(header[8..]);
        if (actualMagic != magic)
        {
            return new(nameBaseOffset, 0, $"magic 0x{actualMagic:X8} is not 0x{magic:X8}", Readable: false);
        }

        if (minCompatible > ReaderVersion || version < 1)
        {
            return new(nameBaseOffset, 0, $"version {version} (min compatible {minCompatible}) cannot be read by version {ReaderVersion}", Readable: false);
        }

        long count = (file.Length - Size) / entrySize;
        string? problem = null;
        if (named && headerBaseOffset != nameBaseOffset)
        {
            problem = $"header base offset {headerBaseOffset} differs from the file name's {nameBaseOffset}";
        }
        else if ((file.Length - Size) % entrySize != 0)
        {
            problem = $"length {file.Length} is not the header plus whole {entrySize}-byte entries";
        }

        return new(named ? nameBaseOffset : headerBaseOffset, count, problem, Readable: true);
    }
}
