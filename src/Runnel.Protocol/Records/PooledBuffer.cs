using System.Buffers;

namespace Runnel.Protocol.Records;

/// <summary>
/// Bytes in an array rented from <see cref="ArrayPool{T}.Shared"/>, handed over with ownership: whoever
/// receives a <see cref="PooledBuffer"/> disposes it exactly once, after which the array goes back to
/// the pool and every accessor throws. Not thread-safe; pass it on rather than share it.
/// </summary>
public sealed class PooledBuffer : IMemoryOwner<byte>
{
    private byte[]? _array;
    private int _length;

    /// <summary>Takes ownership of <paramref name="rented"/>, which must come from the shared pool.</summary>
    internal PooledBuffer(byte[] rented, int length)
    {
        _array = rented;
        _length = length;
    }

    /// <summary>Rents an array of at least <paramref name="length"/> bytes; <see cref="Length"/> is <paramref name="length"/>.</summary>
    public static PooledBuffer Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new PooledBuffer(ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)), length);
    }

    /// <summary>Shrinks the valid bytes to the first <paramref name="length"/> (after a short read).</summary>
    public void Trim(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        _length = length;
    }

    /// <summary>Number of valid bytes.</summary>
    public int Length => _array is null ? ThrowDisposed() : _length;

    /// <summary>The valid bytes (a view over the rented array).</summary>
    public Memory<byte> Memory => (_array ?? ThrowDisposedArray()).AsMemory(0, _length);

    /// <summary>The valid bytes as a span.</summary>
    public Span<byte> Span => (_array ?? ThrowDisposedArray()).AsSpan(0, _length);

    /// <summary>Returns the array to the pool. Safe to call more than once.</summary>
    public void Dispose()
    {
        var array = _array;
        _array = null;
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private static int ThrowDisposed() => throw new ObjectDisposedException(nameof(PooledBuffer));

    private static byte[] ThrowDisposedArray() => throw new ObjectDisposedException(nameof(PooledBuffer));
}
