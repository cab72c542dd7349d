namespace Runnel.Cli.Commands;

/// <summary>
/// <c>runnel broker</c> runs socket completions on the socket engine's threads
/// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>): a request read from a socket is decoded and
/// handled on the thread that saw it arrive instead of being handed to the thread pool, which saves a
/// thread switch and a wake-up per request. Measured (bench/RESULTS.md, "Socket completions inline"):
/// a quarter less broker CPU per MiB for 1 KiB produce and for small requests, a lower end-to-end p50.
/// It is safe because the broker's request path never blocks on anything but page-cache reads and
/// writes; fsyncs run on the flush threads, and the file work of creating, growing and deleting topics
/// and of writing the metadata file on thread-pool threads. The runtime reads the variable once, at the first socket
/// operation, so it is set before the broker starts; a value in the environment (0 turns it off) wins.
/// The embedded broker leaves its host process's setting alone.
/// </summary>
internal static class InlineSocketCompletions
{
    internal const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Sets the variable unless the environment already has it; returns whether completions run inline.</summary>
    public static bool EnableUnlessSet() =>
        EnableUnlessSet(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    /// <summary>The decision, over a given environment (for tests).</summary>
    internal static bool EnableUnlessSet(Func<string, string?> read, Action<string, string> write)
    {
        if (read(Variable) is { } chosen)
        {
            return chosen == "1";
        }

        write(Variable, "1");
        return true;
    }
}
