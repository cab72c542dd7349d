using System.Reflection;
using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class ConfigReferenceTests
{
    // The build records where the repository is (Directory.Build.props in tests/): source paths
    // are rewritten to /_/ under ContinuousIntegrationBuild, so [CallerFilePath] cannot be used.
    private static string RepositoryRoot() =>
        typeof(ConfigReferenceTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Runnel.RepositoryRoot").Value!;

    [Fact]
    public void Configuration_reference_is_up_to_date()
    {
        string path = Path.Combine(RepositoryRoot(), "docs", "configuration.md");
        string expected = ConfigReference.GenerateMarkdown();
        string? actual = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal) : null;
        if (actual != expected)
        {
            // Regenerate so the fix is one commit away; the test still fails so CI catches a stale doc.
            File.WriteAllText(path, expected);
            Assert.Fail($"{path} was out of date and has been regenerated from the config registries; review and commit it.");
        }
    }

    [Fact]
    public void Reference_has_a_row_per_config()
    {
        string markdown = ConfigReference.GenerateMarkdown();
        foreach (ConfigDefinition definition in BrokerConfigs.Registry.Definitions.Concat(TopicConfigs.Registry.Definitions))
        {
            Assert.Contains($"| `{definition.Name}` |", markdown, StringComparison.Ordinal);
        }
    }
}
