using Runnel.Protocol;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Pipeline;

/// <summary>What the connection does after a request: write a response, write nothing, or close.</summary>
public readonly struct DispatchResult
{
    private DispatchResult(IApiMessage? response, ApiKey apiKey, short version, int correlationId, string? closeReason)
    {
        Response = response;
        ApiKey = apiKey;
        Version = version;
        CorrelationId = correlationId;
        CloseReason = closeReason;
    }

    public IApiMessage? Response { get; }

    public ApiKey ApiKey { get; }

    /// <summary>Version the response body is encoded at (ApiVersions errors use v0).</summary>
    public short Version { get; }

    public int CorrelationId { get; }

    /// <summary>Non-null when the connection must be closed; says why (logged).</summary>
    public string? CloseReason { get; }

    public static DispatchResult Respond(IApiMessage response, ApiKey key, short version, int correlationId) =>
        new(response, key, version, correlationId, null);

    public static DispatchResult NoResponse => new(null, default, 0, 0, null);

    public static DispatchResult Close(string reason) => new(null, default, 0, 0, reason);
}
