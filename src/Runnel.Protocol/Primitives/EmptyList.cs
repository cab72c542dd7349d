namespace Runnel.Protocol.Primitives;

/// <summary>
/// The list generated messages read while a collection field has never been set (its backing field
/// is created on first use). Only ever read: never handed out, never modified.
/// </summary>
internal static class EmptyList<T>
{
    public static readonly List<T> Instance = new(0);
}
