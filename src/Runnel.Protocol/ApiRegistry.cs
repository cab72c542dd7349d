using System.Diagnostics.CodeAnalysis;

namespace Runnel.Protocol;

/// <summary>Lookups over the generated <see cref="All"/> table.</summary>
public static partial class ApiRegistry
{
    private static readonly ApiDefinition?[] s_byKey = BuildIndex();

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
        api = key >= 0 && key < s_byKey.Length ? s_byKey[key] : null;
        return api is not null;
    }
}
