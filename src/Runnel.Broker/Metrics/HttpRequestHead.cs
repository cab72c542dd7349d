using System.Text;

namespace Runnel.Broker.Metrics;

/// <summary>
/// What the metrics server reads of an HTTP/1.x request (RFC 9112): the request line's method and
/// path. Headers are skipped (nothing a scrape sends changes the answer) and a body is never read
/// (GET and HEAD have none). A request that cannot be served carries the response saying why.
/// </summary>
/// <param name="Path">The target's path without query, e.g. <c>/metrics</c>; empty when rejected.</param>
/// <param name="IsHead">A HEAD request: answer with headers only.</param>
/// <param name="Rejection">The error response when the request line is unusable or the method is not served.</param>
internal sealed record HttpRequestHead(string Path, bool IsHead, HttpResponse? Rejection)
{
    /// <summary>The length of the request head including the empty line that ends it, or -1 while incomplete.</summary>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        // RFC 9112 section 2.2 lets a recipient accept a bare LF as a line terminator.
        int crlf = data.IndexOf("\r\n\r\n"u8);
        int lf = data.IndexOf("\n\n"u8);
        if (crlf < 0)
        {
            return lf < 0 ? -1 : lf + 2;
        }

        return lf >= 0 && lf < crlf ? lf + 2 : crlf + 4;
    }

    /// <summary>Parses a complete request head (as delimited by <see cref="FindEnd"/>).</summary>
    public static HttpRequestHead Parse(ReadOnlySpan<byte> head)
    {
        int lineEnd = head.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line = lineEnd < 0 ? head : head[..lineEnd];
        if (line.EndsWith("\r"u8))
        {
            line = line[..^1];
        }

        // Latin-1 maps every byte to one char, so no input fails to decode; a non-ASCII path simply matches nothing.
        string[] parts = Encoding.Latin1.GetString(line).Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return Rejected(HttpResponse.Error(400, "Bad Request", "the request line is not METHOD TARGET HTTP-VERSION"));
        }

        if (parts[2] is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            return Rejected(HttpResponse.Error(400, "Bad Request", $"HTTP/1.0 or HTTP/1.1 expected, not {parts[2]}"));
        }

        if (parts[0] is not ("GET" or "HEAD"))
        {
            return Rejected(HttpResponse.Error(405, "Method Not Allowed", $"only GET and HEAD are served, not {parts[0]}", "Allow: GET, HEAD"));
        }

        string target = parts[1];
        if (target[0] != '/')
        {
            // The absolute form (GET http://host/metrics) that proxies send.
            if (!Uri.TryCreate(target, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                return Rejected(HttpResponse.Error(400, "Bad Request", "the request target is neither a path nor an http URL"));
            }

            target = uri.AbsolutePath;
        }

        int query = target.IndexOf('?', StringComparison.Ordinal);
        return new HttpRequestHead(query < 0 ? target : target[..query], parts[0] == "HEAD", Rejection: null);
    }

    private static HttpRequestHead Rejected(HttpResponse response) => new(string.Empty, IsHead: false, response);
}
