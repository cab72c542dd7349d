using Runnel.Cli.Kafka;
using Runnel.Cli.Perf.Wire;

namespace Runnel.Cli.Perf;

/// <summary>
/// Fixed-rate mode with <c>--wire-producers</c>: the sender thread is the wire producers' event loop,
/// and their outcomes land in the same counters as the Confluent.Kafka producers' delivery reports,
/// so the consumer loop and the summary are the same.
/// </summary>
internal sealed partial class EndToEndLatency : IProduceOutcomes
{
    /// <summary>
    /// The sender thread's body: sends the schedule and waits for the responses in flight (the event
    /// loop does both), so every outcome is counted before the sender is done.
    /// </summary>
    private void SendOverWire(WireProducers producers, FixedRateSchedule schedule, CancellationToken stop, CancellationToken abort)
    {
        try
        {
            producers.Run(schedule, stop, abort);
        }
        catch (ToolException e)
        {
            _senderError = e;
        }
        finally
        {
            Volatile.Write(ref _senderDone, 1);
        }
    }

    void IProduceOutcomes.Sent(int records) => Interlocked.Add(ref _sent, records);

    void IProduceOutcomes.Acknowledged(int producer, int records, long sentAt) => Interlocked.Add(ref _acknowledged[producer], records);

    void IProduceOutcomes.Failed(int producer, int records, string code, string reason) => RecordFailure(records, code, reason);
}
