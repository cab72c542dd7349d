using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Runnel.Broker;
using Runnel.TestKit;

namespace Runnel.IntegrationTests.Transactions;

/// <summary>
/// Exactly-once processing through client crashes, with Confluent.Kafka: a consume-transform-produce
/// loop (tests/Runnel.TransformClient, SendOffsetsToTransaction per batch) is killed with SIGKILL
/// mid-stream several times and restarted with the same transactional id, which fences the dead
/// instance and aborts its open transaction. Read with read_committed, the output holds each input
/// record's result exactly once and in order, and the group stands at the end of the input.
/// </summary>
public sealed class ExactlyOnceClientCrashTests
{
    private const int PerPartition = 500;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_transform_loop_killed_repeatedly_writes_each_result_exactly_once()
    {
        using var dir = new TempDirectory("eos-client-kill");
        await using var broker = await RunnelBroker.StartAsync(new RunnelBrokerOptions { DataDirectory = dir.Path }, Cancel);
        using (var admin = Clients.CreateAdmin(broker.BootstrapServers))
        {
            await admin.CreateTopicsAsync(
            [
                new TopicSpecification { Name = "in", NumPartitions = 2, ReplicationFactor = 1 },
                new TopicSpecification { Name = "out", NumPartitions = 2, ReplicationFactor = 1 },
            ]);
        }

        using (var producer = Clients.CreateProducer(broker.BootstrapServers))
        {
            for (var i = 0; i < PerPartition; i++)
            {
                for (var partition = 0; partition < 2; partition++)
                {
                    producer.Produce(new TopicPartition("in", partition), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes($"p{partition}-{i:D4}") });
                }
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var random = new Random(11);
        var transcript = new StringBuilder();
        var kills = 0;
        for (var attempt = 0; attempt < 8 && kills < 5; attempt++)
        {
            await using var client = TransformClient.Start(broker.BootstrapServers, transcript);
            if (!await client.WaitForLineAsync("committed"))
            {
                // It finished the input before a kill could land, or failed: the final run tells.
                break;
            }

            await Task.Delay(random.Next(0, 100), Cancel);
            await client.KillAsync();
            kills++;
        }

        await using (var last = TransformClient.Start(broker.BootstrapServers, transcript))
        {
            Assert.True(await last.WaitForExitAsync(TimeSpan.FromSeconds(90)) == 0, "the last transform run finishes\n" + transcript);
        }

        Assert.True(kills >= 3, $"only {kills} kills landed mid-stream\n{transcript}");
        var output = TransactionTests.ReadAll(broker, "out", IsolationLevel.ReadCommitted);
        var expected = Enumerable.Range(0, PerPartition).SelectMany(i => new[] { $"out-p0-{i:D4}", $"out-p1-{i:D4}" }).Order(StringComparer.Ordinal);
        Assert.Equal(expected, output);
        using var consumer = Clients.CreateConsumer(broker.BootstrapServers, c => c.GroupId = "transformer");
        var committed = consumer.Committed([new TopicPartition("in", 0), new TopicPartition("in", 1)], TimeSpan.FromSeconds(10));
        Assert.All(committed, c => Assert.Equal(PerPartition, c.Offset.Value));
    }

    /// <summary>One run of the transform client process, its stdout collected line by line.</summary>
    private sealed class TransformClient : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _transcript;
        private readonly List<string> _lines = [];
        private readonly SemaphoreSlim _lineArrived = new(0);

        private TransformClient(Process process, StringBuilder transcript)
        {
            _process = process;
            _transcript = transcript;
        }

        public static TransformClient Start(string bootstrap, StringBuilder transcript)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "runnel-transform-client.dll"), bootstrap, "in", "2", "out", "transformer", "transformer-1"])
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            var client = new TransformClient(process, transcript);
            process.OutputDataReceived += (_, e) => client.OnLine(e.Data);
            process.ErrorDataReceived += (_, e) => client.OnLine(e.Data is null ? null : "stderr: " + e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return client;
        }

        private void OnLine(string? line)
        {
            lock (_lines)
            {
                if (line is not null)
                {
                    _lines.Add(line);
                    _transcript.AppendLine(line);
                }
            }

            _lineArrived.Release();
        }

        /// <summary>True once a line starting with <paramref name="prefix"/> arrived; false if the process exited first.</summary>
        public async Task<bool> WaitForLineAsync(string prefix)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                lock (_lines)
                {
                    if (_lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)))
                    {
                        return true;
                    }
                }

                if (_process.HasExited)
                {
                    return false;
                }

                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), Cancel);
            }

            return false;
        }

        public async Task<int> WaitForExitAsync(TimeSpan timeout)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            limit.CancelAfter(timeout);
            await _process.WaitForExitAsync(limit.Token);
            return _process.ExitCode;
        }

        /// <summary>SIGKILL: no chance to abort, flush or leave the group.</summary>
        public async Task KillAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(Cancel);
            lock (_lines)
            {
                _transcript.AppendLine("-- killed --");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }

            _process.Dispose();
            _lineArrived.Dispose();
        }
    }
}
