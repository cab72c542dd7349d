using System.Security.Cryptography;

namespace Runnel.Broker.Fetch;

/// <summary>
/// The broker's fetch sessions (KIP-227), bounded by <c>max.incremental.fetch.session.cache.slots</c>
/// (Kafka's default 1000). When full, the least recently used session is evicted; its client gets
/// FETCH_SESSION_ID_NOT_FOUND on its next incremental fetch and starts a new session.
/// </summary>
internal sealed class FetchSessionCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, FetchSession> _sessions = new();
    private readonly int _capacity;
    private readonly TimeProvider _time;

    public FetchSessionCache(int capacity, TimeProvider time)
    {
        _capacity = capacity;
        _time = time;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>Creates a session, or returns null when the cache has no room (capacity 0).</summary>
    public FetchSession? Create()
    {
        if (_capacity <= 0)
        {
            return null;
        }

        lock (_lock)
        {
            if (_sessions.Count >= _capacity)
            {
                FetchSession? oldest = null;
                foreach (var s in _sessions.Values)
                {
                    if (oldest is null || s.LastUsedTicks < oldest.LastUsedTicks)
                    {
                        oldest = s;
                    }
                }

                _sessions.Remove(oldest!.Id);
            }

            int id;
            do
            {
                id = RandomNumberGenerator.GetInt32(1, int.MaxValue);
            }
            while (_sessions.ContainsKey(id));

            var session = new FetchSession(id) { LastUsedTicks = _time.GetTimestamp() };
            _sessions[id] = session;
            return session;
        }
    }

    public FetchSession? Find(int id)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(id, out var session))
            {
                session.LastUsedTicks = _time.GetTimestamp();
                return session;
            }

            return null;
        }
    }

    public void Remove(int id)
    {
        lock (_lock)
        {
            _sessions.Remove(id);
        }
    }
}
