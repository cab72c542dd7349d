using System.Text;
using Runnel.Broker.Metrics;

namespace Runnel.Broker.Tests.Metrics;

public class HttpRequestHeadTests
{
    private static HttpRequestHead Parse(string head) => HttpRequestHead.Parse(Encoding.Latin1.GetBytes(head));

    [Theory]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 34)]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nleftover", 34)]
    [InlineData("GET /metrics HTTP/1.0\n\n", 23)]
    [InlineData("GET /metrics HTTP/1.1\r\nHost: x\r\n", -1)]
    [InlineData("", -1)]
    public void End_of_head_is_the_first_empty_line(string data, int expected)
    {
        Assert.Equal(expected, HttpRequestHead.FindEnd(Encoding.Latin1.GetBytes(data)));
    }

    [Theory]
    [InlineData("GET /metrics HTTP/1.1\r\nAccept: text/plain\r\n\r\n", "/metrics", false)]
    [InlineData("HEAD /metrics?name[]=x HTTP/1.0\r\n\r\n", "/metrics", true)]
    [InlineData("GET http://127.0.0.1:9404/metrics HTTP/1.1\r\n\r\n", "/metrics", false)]
    [InlineData("GET /other HTTP/1.1\r\n\r\n", "/other", false)]
    public void Get_and_head_give_the_path_without_query(string head, string path, bool isHead)
    {
        HttpRequestHead request = Parse(head);

        Assert.Null(request.Rejection);
        Assert.Equal(path, request.Path);
        Assert.Equal(isHead, request.IsHead);
    }

    [Theory]
    [InlineData("POST /metrics HTTP/1.1\r\n\r\n", 405)]
    [InlineData("DELETE / HTTP/1.1\r\n\r\n", 405)]
    [InlineData("GET /metrics HTTP/2.0\r\n\r\n", 400)]
    [InlineData("GET /metrics\r\n\r\n", 400)]
    [InlineData("GET  /metrics HTTP/1.1\r\n\r\n", 400)]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\r\n\r\n", 400)]
    [InlineData("GET ftp://host/metrics HTTP/1.1\r\n\r\n", 400)]
    [InlineData("GET metrics HTTP/1.1\r\n\r\n", 400)]
    public void Unusable_requests_carry_their_error_response(string head, int status)
    {
        HttpResponse response = Assert.IsType<HttpResponse>(Parse(head).Rejection);

        Assert.Equal(status, response.StatusCode);
        string text = Encoding.ASCII.GetString(response.Head);
        Assert.StartsWith($"HTTP/1.1 {status} ", text, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", text, StringComparison.Ordinal);
        Assert.Equal(status == 405, text.Contains("Allow: GET, HEAD\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Head_response_keeps_the_headers_and_drops_the_body()
    {
        HttpResponse full = HttpResponse.Ok("abc"u8.ToArray(), "text/plain");
        HttpResponse head = full.WithoutBody();

        Assert.Equal(full.Head, head.Head);
        Assert.Contains("Content-Length: 3\r\n", Encoding.ASCII.GetString(head.Head), StringComparison.Ordinal);
        Assert.Empty(head.Body);
    }
}
