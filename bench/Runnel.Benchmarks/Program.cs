using BenchmarkDotNet.Running;

namespace Runnel.Benchmarks;

/// <summary>
/// Hot-path microbenchmarks. Run all: <c>dotnet run -c Release --project bench/Runnel.Benchmarks -- --filter '*'</c>.
/// Results go in bench/RESULTS.md with the machine and the command.
/// </summary>
internal static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
