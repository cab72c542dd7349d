using System.Diagnostics.CodeAnalysis;

namespace Runnel.Protocol;

/// <summary>Lookups over the generated <see cref="All"/> table.</summary>
public static partial class ApiRegistry
{
    // Built on first use: static initialisers in the generated half of this partial class may run
    // after ours, so the index must not be computed in a field initialiser.
    private static ApiDefinition?[]? s_byKey;

    private static ApiDefinition?[] BuildIndex()
    {
        var max = 0;
        foreach (var api in All)
        {
            max = Math.Max(max, (int)api.Key);
        }

        var index = new ApiDefinition?[max + 1];
        foreach (var api in All)
        {
            index[(int)api.Key] = api;
        }

        return index;
    }

    /// <summary>Finds the definition of an API key read from the wire (any value).</summary>
    public static bool TryGet(short key, [NotNullWhen(true)] out ApiDefinition? api)
    {
        var index = s_byKey ??= BuildIndex();
        api = key >= 0 && key < index.Length ? index[key] : null;
        return api is not null;
    }
}
