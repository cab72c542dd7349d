using System.Globalization;

namespace Runnel.StartupBench;

/// <summary>Command line of <c>startupbench</c>.</summary>
internal sealed record StartupBenchOptions(int Runs, bool Child, bool ListJit)
{
    public const string Usage =
        "usage: startupbench [--runs N] [--list-jit]\n" +
        "  --runs N      fresh processes to measure (default 20)\n" +
        "  --list-jit    one process: list the methods compiled by the JIT during the first start";

    public static StartupBenchOptions Parse(string[] args)
    {
        int runs = 20;
        bool child = false;
        bool listJit = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out runs) || runs < 1)
                    {
                        throw new ArgumentException($"--runs must be a positive integer, not '{args[i]}'.");
                    }

                    break;
                case "--child":
                    child = true;
                    break;
                case "--list-jit":
                    listJit = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        return new StartupBenchOptions(runs, child || listJit, listJit);
    }
}
