using Runnel.Compat.Infrastructure;

namespace Runnel.Compat.ClientWrappers;

/// <summary>
/// kcat (Debian; librdkafka inside) as a test client, in the manner of Redpanda's
/// <c>tests/rptest/clients/kafka_cat.py</c>: each method is one kcat invocation.
/// </summary>
public sealed class KcatClient(string bootstrapServers)
{
    /// <summary>The -f format of <see cref="ConsumeAsync"/>: one line per record, fields split by '|'.</summary>
    public const string ConsumeFormat = @"%p|%o|%T|%K|%k|%S|%s|%h\n";

    private static readonly Lazy<string?> Executable = new(() => ClientTools.FindOnPath("kcat"));

    /// <summary>`kcat -L -J`: the cluster's metadata for one topic as JSON.</summary>
    public Task<ProcessResult> MetadataAsync(string topic) =>
        RunAsync(["-L", "-J", "-t", topic]);

    /// <summary>
    /// `kcat -P -K:`: produces one record per line ("key:value") to one partition, with the same
    /// headers on every record and the given codec.
    /// </summary>
    public Task<ProcessResult> ProduceAsync(string topic, int partition, IEnumerable<string> keyValueLines, string codec, IEnumerable<(string Key, string Value)> headers)
    {
        List<string> arguments = ["-P", "-t", topic, "-p", partition.ToString(System.Globalization.CultureInfo.InvariantCulture), "-K", ":", "-z", codec,
            "-X", "linger.ms=5", "-X", "message.timeout.ms=30000"];
        foreach (var (key, value) in headers)
        {
            arguments.Add("-H");
            arguments.Add(key + "=" + value);
        }

        return RunAsync(arguments, string.Concat(keyValueLines.Select(l => l + "\n")));
    }

    /// <summary>`kcat -C -o beginning -e`: prints every record of one partition in <see cref="ConsumeFormat"/>, then exits.</summary>
    public Task<ProcessResult> ConsumeAsync(string topic, int partition) =>
        RunAsync(["-C", "-t", topic, "-p", partition.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", "beginning", "-e", "-q", "-f", ConsumeFormat]);

    private Task<ProcessResult> RunAsync(List<string> arguments, string? input = null)
    {
        var kcat = Executable.Value ?? throw ClientTools.Missing("kcat (Debian package kcat)");
        List<string> all = ["-b", bootstrapServers, "-X", "socket.timeout.ms=10000", .. arguments];
        if (ClientTools.Debug)
        {
            all.InsertRange(0, ["-d", "protocol,broker,msg"]);
        }

        return ExternalProcess.RunAsync(kcat, all, ClientTools.ProcessTimeout, input);
    }
}
