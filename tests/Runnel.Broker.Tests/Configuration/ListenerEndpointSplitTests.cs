using System.Text.RegularExpressions;
using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

/// <summary>
/// The broker splits listener entries by hand (the regex engine's first use slowed the first start);
/// these tests hold the hand-written split to Kafka's <c>EndPoint.uriParseExp</c> as the oracle.
/// </summary>
public sealed class ListenerEndpointSplitTests
{
    private static readonly Regex KafkaPattern = new(@"^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$", RegexOptions.CultureInvariant);

    [Theory]
    [InlineData("PLAINTEXT://127.0.0.1:9092")]
    [InlineData("plaintext://:0")]
    [InlineData("INTERNAL://[::1]:9094")]
    [InlineData("INTERNAL://[::1:9094")]
    [InlineData("INTERNAL://::1]:9094")]
    [InlineData("INTERNAL://[fe80::1%eth0]:9094")]
    [InlineData("A://h://x:9")]
    [InlineData("A://h:1:2")]
    [InlineData("A://host-name.example_1:-1")]
    [InlineData("://h:1")]
    [InlineData("A:/h:1")]
    [InlineData("A//h:1")]
    [InlineData("A://h")]
    [InlineData("A://h:")]
    [InlineData("A://h:x1")]
    [InlineData("A://h:1x")]
    [InlineData("A://h:--1")]
    [InlineData("A://h/p:1")]
    [InlineData("A://a]b:1")]
    [InlineData("A://[]:1")]
    [InlineData("A://[:1")]
    [InlineData("A://]:1")]
    [InlineData("A://[[h]]:1")]
    [InlineData("A://h h:1")]
    [InlineData("A\nB://h:1")]
    [InlineData("A://h:99999999999999999999")]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("A://:")]
    public void Split_agrees_with_Kafkas_pattern(string entry)
    {
        Match expected = KafkaPattern.Match(entry);

        bool matched = ListenerEndpoint.TrySplit(entry, out string name, out string host, out string port);

        Assert.Equal(expected.Success, matched);
        if (matched)
        {
            Assert.Equal(expected.Groups[1].Value, name);
            Assert.Equal(expected.Groups[2].Value, host);
            Assert.Equal(expected.Groups[3].Value, port);
        }
    }
}
