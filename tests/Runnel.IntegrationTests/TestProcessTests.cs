using System.Reflection;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using Runnel.Broker;

namespace Runnel.IntegrationTests;

/// <summary>The test process's own settings that the in-process brokers depend on.</summary>
public sealed class TestProcessTests
{
    /// <summary>
    /// tests/Directory.Build.props raises the thread pool's minimum: without it, tests blocking pool
    /// threads in synchronous client calls starve the in-process broker for half a second at a time
    /// (the flaky consumer-protocol rebalance of sessions 9–10).
    /// </summary>
    [Fact]
    public void The_thread_pool_starts_enough_threads_for_a_broker_beside_blocking_clients()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= 16, $"minimum worker threads {workers}: the runtimeconfig option from tests/Directory.Build.props is missing");
    }

    /// <summary>
    /// src/ReadyToRunOnBuild.targets precompiles the broker's libraries in Release builds on linux-x64,
    /// so a JIT-compiled host (this test project) starts its first broker with their code compiled;
    /// other builds keep the IL-only assemblies.
    /// </summary>
    [Theory]
    [InlineData(typeof(RunnelBroker))]
    [InlineData(typeof(Runnel.Storage.Log.PartitionLog))]
    [InlineData(typeof(Runnel.Protocol.ErrorCode))]
    public void The_broker_libraries_are_precompiled_exactly_in_release_builds_on_linux_x64(Type fromAssembly)
    {
        var assembly = fromAssembly.Assembly;
        var expected = assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration == "Release"
            && OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;

        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var precompiled = pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
        Assert.True(expected == precompiled, $"{assembly.Location}: ReadyToRun code {(precompiled ? "present" : "absent")}, expected {(expected ? "present" : "absent")}");
    }
}
