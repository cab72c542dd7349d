using System.Reflection;

namespace Runnel.Compat.Infrastructure;

/// <summary>
/// Where the external clients and their scripts are, and the check that fails a test (never skips
/// it) when a client is missing.
/// </summary>
public static class ClientTools
{
    public const string InstallHint =
        "Run scripts/install-test-deps.sh (installs Debian's kcat, python3-kafka and python3-confluent-kafka, and KafkaJS via npm ci).";

    /// <summary>
    /// Debian's interpreter: python3-kafka and python3-confluent-kafka live in its dist-packages,
    /// which a pyenv or venv python3 earlier on PATH cannot import.
    /// </summary>
    public const string DebianPython = "/usr/bin/python3";

    /// <summary>Default timeout for one client process (each script also has its own, shorter deadline).</summary>
    public static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Set RUNNEL_COMPAT_DEBUG=1 to run every client with protocol debug logging (to stderr, shown on failure).</summary>
    public static bool Debug => Environment.GetEnvironmentVariable("RUNNEL_COMPAT_DEBUG") is "1" or "true";

    /// <summary>tests/Runnel.Compat/clients in the source tree (node_modules is installed there).</summary>
    public static string ClientsDirectory { get; } = Metadata("Runnel.Compat.ClientsDirectory");

    public static string RepositoryRoot { get; } = Metadata("Runnel.Compat.RepositoryRoot");

    public static string PythonScript(string name) => Path.Combine(ClientsDirectory, "python", name);

    public static string NodeDirectory => Path.Combine(ClientsDirectory, "node");

    /// <summary>Full path of an executable found on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The failure (not a skip) for a missing client, with the install hint; throw it.</summary>
    public static Exception Missing(string what, string details = "") =>
        Xunit.Sdk.FailException.ForFailure($"{what} is not available. {InstallHint}{(details.Length > 0 ? "\n" + details : "")}");

    private static string Metadata(string key) =>
        typeof(ClientTools).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");
}
