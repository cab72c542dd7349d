namespace Runnel.PeerBench.Drivers;

/// <summary>Opens the client for a server address: <c>nats://</c> for NATS JetStream, <c>amqp://</c> for RabbitMQ streams.</summary>
internal static class StreamClients
{
    public static async Task<IStreamClient> ConnectAsync(Uri server, string stream, CancellationToken cancellationToken) => server.Scheme switch
    {
        "nats" => await NatsStreamClient.ConnectAsync(server, stream, cancellationToken),
        "amqp" => await RabbitStreamClient.ConnectAsync(server, stream, cancellationToken),
        _ => throw new ArgumentException($"unsupported server scheme '{server.Scheme}' (nats:// or amqp://)", nameof(server)),
    };
}
