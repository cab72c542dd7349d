using System.Globalization;
using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>A complete HTTP/1.1 response of the metrics server, encoded: status line and headers, then the body.</summary>
internal sealed class HttpResponse
{
    private HttpResponse(int statusCode, string reason, byte[] head, byte[] body)
    {
        StatusCode = statusCode;
        Reason = reason;
        Head = head;
        Body = body;
    }

    public int StatusCode { get; }

    /// <summary>Why the response is not a 200, for the debug log (empty for 200).</summary>
    public string Reason { get; }

    /// <summary>Status line and headers, ending with the empty line.</summary>
    public byte[] Head { get; }

    public byte[] Body { get; }

    /// <summary>200 with <paramref name="body"/>.</summary>
    public static HttpResponse Ok(byte[] body, string contentType) =>
        Create(200, "OK", string.Empty, body, contentType, extraHeader: null);

    /// <summary>An error status whose plain-text body says <paramref name="reason"/>.</summary>
    public static HttpResponse Error(int statusCode, string reasonPhrase, string reason, string? extraHeader = null) =>
        Create(statusCode, reasonPhrase, reason, Encoding.UTF8.GetBytes($"{statusCode.ToString(CultureInfo.InvariantCulture)} {reasonPhrase}: {reason}\n"), "text/plain; charset=utf-8", extraHeader);

    /// <summary>The answer to HEAD: the same headers (Content-Length included, as RFC 9110 allows) and no body.</summary>
    public HttpResponse WithoutBody() => new(StatusCode, Reason, Head, []);

    private static HttpResponse Create(int statusCode, string reasonPhrase, string reason, byte[] body, string contentType, string? extraHeader)
    {
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(statusCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(reasonPhrase).Append("\r\n")
            .Append("Content-Type: ").Append(contentType).Append("\r\n")
            .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n")
            .Append("Connection: close\r\n");
        if (extraHeader is not null)
        {
            head.Append(extraHeader).Append("\r\n");
        }

        head.Append("\r\n");
        return new HttpResponse(statusCode, reason, Encoding.ASCII.GetBytes(head.ToString()), body);
    }
}
