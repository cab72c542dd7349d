namespace Runnel.Cli.Perf.Wire;

/// <summary>
/// Producers whose connection got a free in-flight slot while they had records waiting for one:
/// receive loops add them, the event loop takes them. A ring of producer indexes under a short lock
/// (nothing else is done under it); it doubles when full, which only a burst of completions between
/// two turns of the event loop can cause, so it allocates only until it has seen the largest burst.
/// </summary>
internal sealed class ProducerWakeQueue
{
    private readonly Lock _lock = new();
    private int[] _items;
    private int _head;
    private int _count;

    public ProducerWakeQueue(int capacity)
    {
        _items = new int[Math.Max(4, capacity)];
    }

    public void Enqueue(int producer)
    {
        lock (_lock)
        {
            if (_count == _items.Length)
            {
                int[] larger = new int[_items.Length * 2];
                for (int i = 0; i < _count; i++)
                {
                    larger[i] = _items[(_head + i) % _items.Length];
                }

                _items = larger;
                _head = 0;
            }

            _items[(_head + _count) % _items.Length] = producer;
            _count++;
        }
    }

    public bool TryDequeue(out int producer)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                producer = -1;
                return false;
            }

            producer = _items[_head];
            _head = (_head + 1) % _items.Length;
            _count--;
            return true;
        }
    }
}
