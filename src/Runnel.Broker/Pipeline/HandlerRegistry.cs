using Runnel.Protocol;

namespace Runnel.Broker.Pipeline;

/// <summary>The handlers registered on this broker, indexed by API key.</summary>
public sealed class HandlerRegistry
{
    private IRequestHandler?[] _byKey = new IRequestHandler?[128];
    private readonly List<IRequestHandler> _all = new();

    public IReadOnlyList<IRequestHandler> All => _all;

    public void Add(IRequestHandler handler)
    {
        var key = (int)handler.ApiKey;
        if (key >= _byKey.Length)
        {
            Array.Resize(ref _byKey, key + 1);
        }

        if (_byKey[key] is not null)
        {
            throw new InvalidOperationException($"A handler for {handler.ApiKey} is already registered.");
        }

        if (!ApiRegistry.TryGet((short)key, out var api) || handler.MinVersion < api.LowestVersion || handler.MaxVersion > api.HighestVersion)
        {
            throw new InvalidOperationException($"{handler.ApiKey} handler serves versions the definitions do not describe.");
        }

        _byKey[key] = handler;
        _all.Add(handler);
        _all.Sort(static (a, b) => a.ApiKey.CompareTo(b.ApiKey));
    }

    public IRequestHandler? Find(short apiKey) =>
        apiKey >= 0 && apiKey < _byKey.Length ? _byKey[apiKey] : null;
}
