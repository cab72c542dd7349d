using System.Buffers;

namespace Runnel.Protocol.Records;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool that refuses to hold
/// more than a fixed number of bytes: <see cref="Advance"/> past the limit throws
/// <see cref="OutputLimitExceededException"/>. Decoders write into it so that a decompression bomb
/// stops at the cap instead of growing the heap. Growth doubles until the limit (plus one probe
/// byte) is reached, so the memory held never exceeds about twice the limit plus the last size hint.
/// Ownership: the creator disposes it, or takes the bytes with <see cref="Detach"/>.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumCapacity = 256;

    private readonly int _limit;
    private byte[]? _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity, int limit)
    {
        _limit = limit;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, MinimumCapacity));
    }

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, _written);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferWriter));

    public void Advance(int count)
    {
        var buffer = Buffer;
        if (count < 0 || count > buffer.Length - _written)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _written += count;
        if (_written > _limit)
        {
            throw new OutputLimitExceededException();
        }
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsSpan(_written);
    }

    /// <summary>Hands the written bytes over as a <see cref="PooledBuffer"/>; the writer is empty afterwards.</summary>
    public PooledBuffer Detach()
    {
        var buffer = Buffer;
        _buffer = null;
        return new PooledBuffer(buffer, _written);
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var buffer = Buffer;
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        if (buffer.Length - _written >= sizeHint)
        {
            return;
        }

        // Double, but stop doubling at limit + 1 (one byte past the cap is how an overrun is seen);
        // a size hint beyond that is honoured exactly because IBufferWriter requires it.
        var doubled = Math.Min((long)buffer.Length * 2, (long)_limit + 1);
        var needed = Math.Max((long)_written + sizeHint, doubled);
        if (needed > Array.MaxLength)
        {
            throw new OutputLimitExceededException();
        }

        var grown = ArrayPool<byte>.Shared.Rent((int)needed);
        buffer.AsSpan(0, _written).CopyTo(grown);
        _buffer = grown;
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
