using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Runnel.PeerBench.Drivers;

/// <summary>
/// A JetStream stream with file storage and one subject (<c>STREAM.data</c>). Publishes await the
/// stream's PubAck, which JetStream sends once the message is stored (written to the file, fsynced
/// later per the server's sync interval). Reads use an ordered consumer (ephemeral, flow-controlled pulls).
/// </summary>
internal sealed class NatsStreamClient : IStreamClient
{
    private readonly NatsConnection _connection;
    private readonly INatsJSContext _jetStream;
    private readonly string _stream;
    private readonly string _subject;

    private NatsStreamClient(NatsConnection connection, string stream)
    {
        _connection = connection;
        _jetStream = new NatsJSContext(connection);
        _stream = stream;
        _subject = stream + ".data";
    }

    public static async Task<IStreamClient> ConnectAsync(Uri server, string stream, CancellationToken cancellationToken)
    {
        NatsConnection connection = new(NatsOpts.Default with { Url = server.ToString(), Name = "peerbench" });
        await connection.ConnectAsync();
        return new NatsStreamClient(connection, stream);
    }

    public async Task SetupAsync(CancellationToken cancellationToken) =>
        await _jetStream.CreateOrUpdateStreamAsync(new StreamConfig(_stream, [_subject]) { Storage = StreamConfigStorage.File }, cancellationToken);

    public async Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var ack = await _jetStream.PublishAsync(_subject, payload, cancellationToken: cancellationToken);
        ack.EnsureSuccess();
    }

    public async Task ConsumeAsync(Func<ReadOnlyMemory<byte>, bool> onRecord, CancellationToken cancellationToken)
    {
        var consumer = await _jetStream.CreateOrderedConsumerAsync(
            _stream,
            new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.All },
            cancellationToken);
        await foreach (var message in consumer.ConsumeAsync<ReadOnlyMemory<byte>>(cancellationToken: cancellationToken))
        {
            if (!onRecord(message.Data))
            {
                break;
            }
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
