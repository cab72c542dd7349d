using System.Runtime.CompilerServices;
using Runnel.Broker.Configuration;

namespace Runnel.Broker.Tests.Configuration;

public class ConfigReferenceTests
{
    // Found from this source file's path, so it works wherever the test binaries are built.
    private static string RepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        for (DirectoryInfo? dir = new(Path.GetDirectoryName(sourceFile)!); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Runnel.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Runnel.slnx not found above " + sourceFile);
    }

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
