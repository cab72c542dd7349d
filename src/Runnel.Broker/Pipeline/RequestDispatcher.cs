using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Runnel.Broker.Handlers;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;

namespace Runnel.Broker.Pipeline;

/// <summary>
/// Decodes a request frame (header and body) and routes it to its handler. Any request that
/// cannot be served — unknown key, no handler, version outside the served range, malformed
/// bytes — closes the connection (Kafka does the same), except ApiVersions at an unknown version,
/// which gets UNSUPPORTED_VERSION with a v0 body listing our ranges (KIP-511).
/// </summary>
public sealed class RequestDispatcher
{
    private readonly HandlerRegistry _handlers;
    private readonly ILogger _badRequests;

    public RequestDispatcher(HandlerRegistry handlers, ILoggerFactory loggers)
    {
        _handlers = handlers;
        _badRequests = loggers.CreateLogger("Runnel.Broker.BadRequests");
    }

    public HandlerRegistry Handlers => _handlers;

    /// <summary>Serves one request frame: <see cref="Dispatch"/> and, when the handler answers later, <see cref="Complete"/>.</summary>
    public ValueTask<DispatchResult> DispatchAsync(RequestContext context, ReadOnlyMemory<byte> frame) =>
        Dispatch(context, frame, out var result) is { } pending
            ? AwaitHandlerAsync(context, pending)
            : new ValueTask<DispatchResult>(result);

    /// <summary>
    /// Decodes the frame and calls its handler. Returns null with the <paramref name="result"/> when
    /// that is known now (the handler answered synchronously, or the frame is refused); otherwise the
    /// handler's pending answer, which the caller awaits and passes to <see cref="Complete"/>. The
    /// connection awaits it inside its own long-lived loop, so a request answered later (fsync before
    /// ack, a long-poll fetch) costs no async state machine of the dispatcher's.
    /// </summary>
    public PendingRequest? Dispatch(RequestContext context, ReadOnlyMemory<byte> frame, out DispatchResult result)
    {
        if (!TryDecode(context, frame, out var handler, out var request, out result))
        {
            return null;
        }

        var pending = handler!.HandleAsync(context, request!);
        if (pending.IsCompletedSuccessfully)
        {
            result = ToResult(context, handler, pending.Result);
            return null;
        }

        return new PendingRequest(handler, pending);
    }

    /// <summary>The result of a request whose handler answered later (<see cref="Dispatch"/>).</summary>
    public static DispatchResult Complete(RequestContext context, PendingRequest pending, IApiMessage? response) =>
        ToResult(context, pending.Handler, response);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<DispatchResult> AwaitHandlerAsync(RequestContext context, PendingRequest pending) =>
        Complete(context, pending, await pending.Answer);

    private static DispatchResult ToResult(RequestContext context, IRequestHandler handler, IApiMessage? response) =>
        response is null
            ? DispatchResult.NoResponse
            : DispatchResult.Respond(response, handler.ApiKey, context.ApiVersion, context.CorrelationId);

    private bool TryDecode(RequestContext context, ReadOnlyMemory<byte> frame, out IRequestHandler? handler, out IApiMessage? request, out DispatchResult immediate)
    {
        handler = null;
        request = null;
        immediate = default;
        var reader = new ProtocolReader(frame);
        var header = context.Header;
        try
        {
            header.Read(ref reader);
        }
        catch (ProtocolException ex)
        {
            Log.MalformedHeader(_badRequests, context.ConnectionId, ex.Message);
            immediate = DispatchResult.Close("malformed request header: " + ex.Message);
            return false;
        }

        context.ClientId = header.ClientId;
        context.ApiVersion = header.ApiVersion;
        context.CorrelationId = header.CorrelationId;

        handler = _handlers.Find(header.ApiKey);
        if (handler is null)
        {
            Log.NoHandler(_badRequests, context.ConnectionId, header.ClientId, header.ApiKey, header.ApiVersion);
            immediate = DispatchResult.Close($"no handler for API key {header.ApiKey}");
            return false;
        }

        if (header.ApiVersion < handler.MinVersion || header.ApiVersion > handler.MaxVersion)
        {
            Log.UnsupportedVersion(_badRequests, context.ConnectionId, header.ClientId, header.ApiKey, header.ApiVersion);
            if (handler.ApiKey == ApiKey.ApiVersions)
            {
                // KIP-511: answer in a v0 body so any client can read our ranges and retry lower.
                var error = ApiVersionsHandler.Build(_handlers, ErrorCode.UnsupportedVersion);
                immediate = DispatchResult.Respond(error, ApiKey.ApiVersions, 0, header.CorrelationId);
                return false;
            }

            immediate = DispatchResult.Close($"{handler.ApiKey} v{header.ApiVersion} is not served (served {handler.MinVersion}-{handler.MaxVersion})");
            return false;
        }

        request = handler.RentRequest(context);
        try
        {
            request.Read(ref reader, header.ApiVersion);
        }
        catch (ProtocolException ex)
        {
            Log.MalformedBody(_badRequests, context.ConnectionId, header.ClientId, header.ApiKey, header.ApiVersion, ex.Message);
            if (handler.ApiKey == ApiKey.ApiVersions)
            {
                immediate = DispatchResult.Respond(
                    new ApiVersionsResponse { ErrorCode = (short)ErrorCode.InvalidRequest },
                    ApiKey.ApiVersions,
                    header.ApiVersion,
                    header.CorrelationId);
                return false;
            }

            immediate = DispatchResult.Close($"malformed {handler.ApiKey} v{header.ApiVersion} body: {ex.Message}");
            return false;
        }

        return true;
    }
}

/// <summary>A handler's answer still to come (<see cref="RequestDispatcher.Dispatch"/>): await <see cref="Answer"/> once.</summary>
public readonly record struct PendingRequest(IRequestHandler Handler, ValueTask<IApiMessage?> Answer);
