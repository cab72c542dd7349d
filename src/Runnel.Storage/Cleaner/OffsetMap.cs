using System.Buffers.Binary;

namespace Runnel.Storage.Cleaner;

/// <summary>
/// The cleaner's dedupe buffer (Kafka's <c>SkimpyOffsetMap</c>): key hash → offset of the latest
/// record with that key, in one fixed-size open-addressing table sized by a byte budget
/// (<c>log.cleaner.dedupe.buffer.size</c>). A slot is 24 bytes: a 16-byte key hash and the offset.
/// </summary>
/// <remarks>
/// <para>Hash: a 16-byte BLAKE3 digest of the key. Kafka stores a 16-byte MD5. A cryptographic hash
/// matters: with a fast non-cryptographic one a producer could craft a key colliding with another's
/// and have the cleaner drop that key's latest record. BLAKE3 (the managed SIMD Blake3 package) costs
/// about 110 ns for a short key on the bench machine, where the platform's SHA-256 and MD5 (OpenSSL
/// calls) cost about 1 µs, which made hashing half of a clean. 128 bits keep Kafka's collision argument: two different keys
/// share a slot only if their hashes are equal (probability about n²/2¹²⁹, so about 10⁻²⁴ for a
/// billion keys), in which case the older key's records would be treated as superseded, exactly as
/// Kafka accepts. Different keys whose hashes merely land in the same slot are told apart by the
/// full stored hash (linear probing).</para>
/// <para>Capacity: <c>slots = budget / 24</c>; the map accepts new keys while
/// <c>Count &lt; slots × loadFactor</c> (<c>log.cleaner.io.buffer.load.factor</c>, 0.9), so probe
/// chains stay short. When it is full the cleaner stops mapping and cleans only the prefix it mapped
/// (several passes).</para>
/// <para>Not thread-safe; one per cleaner, cleared between passes.</para>
/// </remarks>
internal sealed class OffsetMap
{
    public const int HashSize = 16;
    public const int SlotSize = HashSize + 8;

    private readonly byte[] _table;
    private readonly int _slots;

    public OffsetMap(long budgetBytes, double loadFactor)
    {
        MaxEntries = CapacityFor(budgetBytes, loadFactor);
        _slots = SlotsFor(budgetBytes);
        _table = new byte[_slots * SlotSize];
    }

    /// <summary>Keys a map of <paramref name="budgetBytes"/> accepts; throws for a load factor outside (0, 1] or a budget below one key.</summary>
    public static int CapacityFor(long budgetBytes, double loadFactor)
    {
        if (loadFactor is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(loadFactor), loadFactor, "The load factor must be in (0, 1].");
        }

        var capacity = (int)(SlotsFor(budgetBytes) * loadFactor);
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, $"The dedupe buffer must hold at least one key ({SlotSize} bytes / load factor).");
        }

        return capacity;
    }

    private static int SlotsFor(long budgetBytes) => (int)Math.Max(0, Math.Min(budgetBytes / SlotSize, Array.MaxLength / SlotSize));

    /// <summary>Slots in the table.</summary>
    public int Slots => _slots;

    /// <summary>Keys the map accepts before it is full.</summary>
    public int MaxEntries { get; }

    /// <summary>Distinct key hashes stored.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count >= MaxEntries;

    /// <summary>Puts (or moves forward) the latest offset of <paramref name="key"/>. False, with nothing stored, when the key is new and the map is full.</summary>
    public bool TryPut(ReadOnlySpan<byte> key, long offset)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        Blake3.Hasher.Hash(key, hash);
        var slot = FindSlot(hash, out var found);
        if (slot < 0)
        {
            return false;
        }

        var entry = _table.AsSpan(slot * SlotSize, SlotSize);
        if (!found)
        {
            if (IsFull)
            {
                return false;
            }

            hash[..HashSize].CopyTo(entry);
            Count++;
        }

        // Offset + 1, so that an all-zero slot means empty.
        BinaryPrimitives.WriteInt64BigEndian(entry[HashSize..], offset + 1);
        return true;
    }

    /// <summary>The latest offset stored for <paramref name="key"/>, or -1.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[HashSize];
        Blake3.Hasher.Hash(key, hash);
        var slot = FindSlot(hash, out var found);
        return found && slot >= 0 ? BinaryPrimitives.ReadInt64BigEndian(_table.AsSpan((slot * SlotSize) + HashSize, 8)) - 1 : -1;
    }

    public void Clear()
    {
        Array.Clear(_table);
        Count = 0;
    }

    /// <summary>
    /// The slot holding <paramref name="hash"/>, or the empty slot where it would go (linear probing
    /// from the hash's first 8 bytes); -1 when every slot holds another hash (load factor 1).
    /// </summary>
    private int FindSlot(ReadOnlySpan<byte> hash, out bool found)
    {
        var slot = (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)_slots);
        for (var probes = 0; probes < _slots; probes++)
        {
            var entry = _table.AsSpan(slot * SlotSize, SlotSize);
            if (BinaryPrimitives.ReadInt64BigEndian(entry[HashSize..]) == 0)
            {
                found = false;
                return slot;
            }

            if (entry[..HashSize].SequenceEqual(hash))
            {
                found = true;
                return slot;
            }

            slot = slot + 1 == _slots ? 0 : slot + 1;
        }

        found = false;
        return -1;
    }
}
