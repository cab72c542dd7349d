namespace Runnel.Cli.Groups;

/// <summary>A reset scenario and its operand: the offset, the shift, or the Unix-millisecond timestamp.</summary>
internal sealed record OffsetResetSpecification(OffsetResetKind Kind, long Value = 0);
