namespace Runnel.Cli.Groups;

/// <summary>One partition of a <c>groups reset-offsets</c> plan.</summary>
internal sealed record OffsetResetRow(string Group, string Topic, int Partition, long NewOffset);
