namespace Runnel.Cli.Tests.EndToEnd;

/// <summary>The collection whose tests share one <see cref="CliBrokerFixture"/> (and so run one at a time).</summary>
[CollectionDefinition(Name)]
public sealed class CliBrokerCollection : ICollectionFixture<CliBrokerFixture>
{
    public const string Name = "cli-broker";
}
