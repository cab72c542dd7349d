using System.Text.RegularExpressions;
using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Handlers;

/// <summary>
/// ApiVersions (key 18), versions 0–4. The answer lists exactly the registered handlers' ranges.
/// v3 adds client software name/version (KIP-511): values outside Kafka's allowed pattern get
/// INVALID_REQUEST. Requests at versions we do not know are answered by the dispatcher with
/// UNSUPPORTED_VERSION in a v0 body. v3+ also reports the feature flags of
/// <see cref="BrokerFeatures"/> (tagged fields, so older clients skip them).
/// </summary>
public sealed partial class ApiVersionsHandler : RequestHandler<ApiVersionsRequest>
{
    private readonly HandlerRegistry _registry;

    public ApiVersionsHandler(HandlerRegistry registry)
    {
        _registry = registry;
    }

    public override ApiKey ApiKey => ApiKey.ApiVersions;

    public override short MinVersion => 0;

    public override short MaxVersion => 4;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, ApiVersionsRequest request)
    {
        if (context.ApiVersion >= 3)
        {
            if (!IsValidSoftwareField(request.ClientSoftwareName) || !IsValidSoftwareField(request.ClientSoftwareVersion))
            {
                return new ValueTask<IApiMessage?>(Build(_registry, ErrorCode.InvalidRequest));
            }

            context.ClientSoftwareName = request.ClientSoftwareName;
            context.ClientSoftwareVersion = request.ClientSoftwareVersion;
        }

        return new ValueTask<IApiMessage?>(Build(_registry, ErrorCode.None));
    }

    /// <summary>The response listing every registered handler's advertised range.</summary>
    public static ApiVersionsResponse Build(HandlerRegistry registry, ErrorCode error)
    {
        var response = new ApiVersionsResponse { ErrorCode = (short)error };
        BrokerFeatures.Describe(response);
        foreach (var handler in registry.All)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)handler.ApiKey,
                MinVersion = handler.AdvertisedMinVersion,
                MaxVersion = handler.MaxVersion,
            });
        }

        return response;
    }

    // KIP-511: software name and version must match [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
    private static bool IsValidSoftwareField(string? value) => value is not null && SoftwareFieldPattern().IsMatch(value);

    [GeneratedRegex(@"^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$")]
    private static partial Regex SoftwareFieldPattern();
}
