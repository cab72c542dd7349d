using System.Buffers;

namespace Runnel.Storage.Log;

/// <summary>
/// Bytes rented from <see cref="ArrayPool{T}.Shared"/>, exposed as exactly <see cref="Length"/>
/// bytes. Whoever holds it disposes it once (extra disposals are ignored); it must not be touched
/// after disposal.
/// </summary>
public sealed class PooledBuffer : IMemoryOwner<byte>
{
    private byte[]? _array;

    private PooledBuffer(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    public int Length { get; private set; }

    public Memory<byte> Memory => new(_array ?? throw new ObjectDisposedException(nameof(PooledBuffer)), 0, Length);

    public Span<byte> Span => new(_array ?? throw new ObjectDisposedException(nameof(PooledBuffer)), 0, Length);

    /// <summary>Rents at least <paramref name="length"/> bytes.</summary>
    public static PooledBuffer Rent(int length) => new(ArrayPool<byte>.Shared.Rent(Math.Max(length, 1)), length);

    /// <summary>Shrinks the visible length (the array stays rented until disposal).</summary>
    internal void Trim(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
