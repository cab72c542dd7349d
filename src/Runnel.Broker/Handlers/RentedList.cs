using System.Buffers;
using System.Runtime.CompilerServices;

namespace Runnel.Broker.Handlers;

/// <summary>
/// A growable list over an array rented from <see cref="ArrayPool{T}.Shared"/>, for per-request
/// scratch lists whose size follows the request (a fetch names up to thousands of partitions):
/// the array goes back to the pool on <see cref="Dispose"/> instead of becoming garbage. A
/// disposed list is empty and can be filled again, so a connection can keep one for all its requests.
/// </summary>
internal sealed class RentedList<T> : IDisposable
{
    private T[] _items = [];

    /// <summary>An empty list; it rents an array when the first item comes (or <see cref="Reserve"/>).</summary>
    public RentedList()
    {
    }

    public RentedList(int capacity) => Reserve(capacity);

    public int Count { get; private set; }

    public ref T this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return ref _items[index];
        }
    }

    public void Add(in T item)
    {
        if (Count == _items.Length)
        {
            Reserve(Math.Max(4, _items.Length * 2));
        }

        _items[Count++] = item;
    }

    /// <summary>Makes room for <paramref name="capacity"/> items in all, so a list whose size is known rents once.</summary>
    public void Reserve(int capacity)
    {
        if (capacity <= _items.Length)
        {
            return;
        }

        var larger = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 4));
        Array.Copy(_items, larger, Count);
        Return(_items, Count);
        _items = larger;
    }

    public ReadOnlySpan<T> AsSpan() => _items.AsSpan(0, Count);

    public void Dispose()
    {
        var items = _items;
        _items = [];
        Return(items, Count);
        Count = 0;
    }

    private static void Return(T[] items, int used)
    {
        if (items.Length == 0)
        {
            return;
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            // The pool must not keep the request's objects alive.
            Array.Clear(items, 0, used);
        }

        ArrayPool<T>.Shared.Return(items);
    }
}
