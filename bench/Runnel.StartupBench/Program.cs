namespace Runnel.StartupBench;

/// <summary>
/// <c>startupbench</c>: how long the first embedded broker of a process takes to start, measured
/// in fresh processes. The first start pays for loading and compiling the broker's code, which a
/// BenchmarkDotNet run (warm process) never sees; every later start in the same process takes a
/// few milliseconds. The parent runs itself <c>--runs</c> times as a child, each child starts a
/// broker twice and prints both times, and the parent prints median and quartiles. See
/// bench/README.md, "Embedded broker start".
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            StartupBenchOptions options = StartupBenchOptions.Parse(args);
            if (options.Child)
            {
                return await ChildRun.RunAsync(options.ListJit, Console.Out).ConfigureAwait(false);
            }

            return ParentRun.Run(options, Console.Out);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(StartupBenchOptions.Usage);
            return 2;
        }
    }
}
