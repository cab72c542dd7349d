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

    /// <summary>
    /// The object the next request is decoded into: a new one, or for handlers that recycle
    /// requests the connection's own (reads assign every field, see <see cref="IProtocolStruct.Read"/>).
    /// </summary>
    IApiMessage RentRequest(RequestContext context);

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

    /// <summary>
    /// True for handlers whose requests are decoded into one object per connection, reused request
    /// after request (Fetch and Produce, many small requests per connection). Safe because a
    /// connection serves its requests one at a time; such a handler must not keep a reference to
    /// the request, or anything in it but strings, once its response is returned.
    /// </summary>
    protected virtual bool RecyclesRequests => false;

    public IApiMessage RentRequest(RequestContext context) =>
        RecyclesRequests ? context.ConnectionState<TRequest>() : new TRequest();

    public ValueTask<IApiMessage?> HandleAsync(RequestContext context, IApiMessage request) =>
        HandleAsync(context, (TRequest)request);

    protected abstract ValueTask<IApiMessage?> HandleAsync(RequestContext context, TRequest request);
}
