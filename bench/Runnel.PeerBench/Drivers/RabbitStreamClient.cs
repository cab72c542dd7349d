using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Runnel.PeerBench.Drivers;

/// <summary>
/// A RabbitMQ stream queue (<c>x-queue-type=stream</c>) over AMQP 0.9.1, the protocol RabbitMQ.Client
/// speaks (there is no stream-protocol client on this machine's NuGet feed set). Publishes go to the
/// default exchange with publisher confirms tracked by the client, so each completes at its confirm.
/// Reads consume from <c>x-stream-offset=first</c> with a prefetch window and batched acks, as streams require.
/// </summary>
internal sealed class RabbitStreamClient : IStreamClient
{
    private const ushort Prefetch = 1000;
    private const int AckEvery = Prefetch / 2;
    private static readonly BasicProperties s_properties = new() { DeliveryMode = DeliveryModes.Persistent };

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;

    private RabbitStreamClient(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
    }

    public static async Task<IStreamClient> ConnectAsync(Uri server, string stream, CancellationToken cancellationToken)
    {
        ConnectionFactory factory = new() { Uri = server, ClientProvidedName = "peerbench" };
        var connection = await factory.CreateConnectionAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        return new RabbitStreamClient(connection, channel, stream);
    }

    public async Task SetupAsync(CancellationToken cancellationToken) =>
        await _channel.QueueDeclareAsync(
            _queue,
            durable: true,
            exclusive: false,
            autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "stream" },
            cancellationToken: cancellationToken);

    public async Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        await _channel.BasicPublishAsync(string.Empty, _queue, mandatory: false, s_properties, payload, cancellationToken);

    public async Task ConsumeAsync(Func<ReadOnlyMemory<byte>, bool> onRecord, CancellationToken cancellationToken)
    {
        await _channel.BasicQosAsync(0, Prefetch, global: false, cancellationToken);
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0L;
        AsyncEventingBasicConsumer consumer = new(_channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            if (done.Task.IsCompleted)
            {
                return;
            }

            var more = onRecord(delivery.Body);
            if (++received % AckEvery == 0 || !more)
            {
                await _channel.BasicAckAsync(delivery.DeliveryTag, multiple: true, cancellationToken);
            }

            if (!more)
            {
                done.TrySetResult();
            }
        };
        var tag = await _channel.BasicConsumeAsync(
            _queue,
            autoAck: false,
            consumerTag: string.Empty,
            noLocal: false,
            exclusive: false,
            arguments: new Dictionary<string, object?> { ["x-stream-offset"] = "first" },
            consumer,
            cancellationToken);
        await done.Task.WaitAsync(cancellationToken);
        await _channel.BasicCancelAsync(tag, cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
