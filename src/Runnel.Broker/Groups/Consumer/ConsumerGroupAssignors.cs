using System.Diagnostics.CodeAnalysis;

namespace Runnel.Broker.Groups.Consumer;

/// <summary>
/// The built-in server-side assignors, found by the names <c>group.consumer.assignors</c> and
/// <c>ServerAssignor</c> use: Kafka 4.0 accepts the short names and the Kafka class names.
/// </summary>
public static class ConsumerGroupAssignors
{
    public static readonly IConsumerGroupAssignor Uniform = new UniformAssignor();

    public static readonly IConsumerGroupAssignor Range = new RangeAssignor();

    public static bool TryGet(string name, [NotNullWhen(true)] out IConsumerGroupAssignor? assignor)
    {
        assignor = name switch
        {
            "uniform" or "org.apache.kafka.coordinator.group.assignor.UniformAssignor" => Uniform,
            "range" or "org.apache.kafka.coordinator.group.assignor.RangeAssignor" => Range,
            _ => null,
        };
        return assignor is not null;
    }
}
