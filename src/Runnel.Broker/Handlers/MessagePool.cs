using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers;

/// <summary>
/// Spare generated structs of one type, for a response a connection rebuilds in place request after
/// request: the elements of the previous response are given back, and handed out again reset, so a
/// steady stream of fetches or produces of the same partitions allocates none of them. Holds at most
/// <see cref="MaxSpare"/>; beyond that, given-back elements are left to the collector.
/// </summary>
internal sealed class MessagePool<T>
    where T : class, IProtocolStruct, new()
{
    /// <summary>More than a fetch of every partition of a large topic needs, small enough to bound a connection's footprint.</summary>
    public const int MaxSpare = 4096;

    private readonly Stack<T> _spare = new();

    /// <summary>A reset element: a spare one, or a new one when none is left.</summary>
    public T Rent()
    {
        if (_spare.TryPop(out var item))
        {
            item.Reset();
            return item;
        }

        return new T();
    }

    /// <summary>Takes back every element of <paramref name="items"/> and empties it.</summary>
    public void ReturnAll(List<T> items)
    {
        foreach (var item in items)
        {
            if (_spare.Count < MaxSpare)
            {
                _spare.Push(item);
            }
        }

        items.Clear();
    }
}
