using Runnel.Protocol;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Pipeline;

/// <summary>
/// Serves one API key. The dispatcher advertises exactly the registered handlers' ranges in
/// ApiVersions, so advertised versions cannot drift from the code.
/// </summary>
public interface IRequestHandler
{
    ApiKey ApiKey { get; }

    /// <summary>Lowest version served; older versions close the connection (KIP-896).</summary>
    short MinVersion { get; }

    short MaxVersion { get; }

    /// <summary>
    /// Lowest version listed in ApiVersions. Usually <see cref="MinVersion"/>; Produce lists 0 while
    /// serving 3+ because librdkafka before 2.11.1 keys its compression support on seeing v0.
    /// </summary>
    short AdvertisedMinVersion { get; }

    IApiMessage CreateRequest();

    /// <summary>Handles a decoded request; null means "send no response" (Produce with acks=0).</summary>
    ValueTask<IApiMessage?> HandleAsync(RequestContext context, IApiMessage request);
}

/// <summary>Typed base for handlers.</summary>
public abstract class RequestHandler<TRequest> : IRequestHandler
    where TRequest : class, IApiMessage, new()
{
    public abstract ApiKey ApiKey { get; }

    public abstract short MinVersion { get; }

    public abstract short MaxVersion { get; }

    public virtual short AdvertisedMinVersion => MinVersion;

    public IApiMessage CreateRequest() => new TRequest();

    public ValueTask<IApiMessage?> HandleAsync(RequestContext context, IApiMessage request) =>
        HandleAsync(context, (TRequest)request);

    protected abstract ValueTask<IApiMessage?> HandleAsync(RequestContext context, TRequest request);
}
