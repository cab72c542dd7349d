namespace Runnel.Cli.Groups;

/// <summary>
/// The line of <c>groups describe --state</c> (Kafka's <c>GroupState</c>); <c>Coordinator</c> is
/// <c>host:port  (id)</c>, as Kafka prints the coordinator node.
/// </summary>
internal sealed record GroupStateRow(string Group, string Coordinator, string AssignmentStrategy, string State, int Members);
