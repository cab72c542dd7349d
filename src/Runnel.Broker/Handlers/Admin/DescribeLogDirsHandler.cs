using Runnel.Broker.Pipeline;
using Runnel.Protocol;
using Runnel.Protocol.Messages;
using Runnel.Protocol.Primitives;
using Runnel.Storage.Log;

namespace Runnel.Broker.Handlers.Admin;

/// <summary>
/// DescribeLogDirs (key 35), versions 1–4 (Kafka 4.0 removed v0, KIP-896; the API is KIP-113).
/// v1 same as v0 (responses before throttling); v2 flexible; v3 a top-level ErrorCode (KIP-784);
/// v4 each directory's TotalBytes and UsableBytes (KIP-827).
/// </summary>
/// <remarks>
/// <para>As Kafka's <c>ReplicaManager.describeLogDirs</c>: one result per log directory (its full
/// path, from <see cref="LogManager.DescribeLogDirs"/>), listing the asked-for partitions stored
/// there (a null Topics means every partition; unknown ones are simply absent), sorted by topic and
/// partition, with their size on disk, an offset lag of 0 (the high watermark follows the log end on
/// one node) and IsFutureKey false (no replica moves between directories). A directory the log
/// manager took offline, or whose file system cannot be queried, is KAFKA_STORAGE_ERROR with no
/// partitions. Total and usable bytes come from the file system holding the directory.</para>
/// <para>Not supported: authorization (CLUSTER_AUTHORIZATION_FAILED), future (moving) replicas.</para>
/// </remarks>
public sealed class DescribeLogDirsHandler : RequestHandler<DescribeLogDirsRequest>
{
    private readonly LogManager _logs;

    public DescribeLogDirsHandler(LogManager logs)
    {
        _logs = logs;
    }

    public override ApiKey ApiKey => ApiKey.DescribeLogDirs;

    public override short MinVersion => 1;

    public override short MaxVersion => 4;

    protected override ValueTask<IApiMessage?> HandleAsync(RequestContext context, DescribeLogDirsRequest request)
    {
        HashSet<TopicPartition>? wanted = null;
        if (request.Topics is { } topics)
        {
            wanted = new HashSet<TopicPartition>();
            foreach (var topic in topics)
            {
                foreach (var partition in topic.Partitions)
                {
                    wanted.Add(new TopicPartition(topic.Topic, partition));
                }
            }
        }

        var response = new DescribeLogDirsResponse();
        foreach (var dir in _logs.DescribeLogDirs())
        {
            response.Results.Add(Describe(dir, wanted));
        }

        return new ValueTask<IApiMessage?>(response);
    }

    private static DescribeLogDirsResponse.DescribeLogDirsResult Describe(LogDirDescription dir, HashSet<TopicPartition>? wanted)
    {
        var result = new DescribeLogDirsResponse.DescribeLogDirsResult { LogDir = dir.Path };
        if (dir.IsOffline)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
            return result;
        }

        try
        {
            var drive = new DriveInfo(dir.Path);
            result.TotalBytes = drive.TotalSize;
            result.UsableBytes = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
            return result;
        }

        var logs = new List<PartitionLog>(dir.Logs.Count);
        foreach (var log in dir.Logs)
        {
            if (wanted is null || wanted.Contains(log.TopicPartition))
            {
                logs.Add(log);
            }
        }

        logs.Sort(static (a, b) =>
        {
            var byTopic = string.CompareOrdinal(a.TopicPartition.Topic, b.TopicPartition.Topic);
            return byTopic != 0 ? byTopic : a.TopicPartition.Partition.CompareTo(b.TopicPartition.Partition);
        });
        DescribeLogDirsResponse.DescribeLogDirsTopic? current = null;
        foreach (var log in logs)
        {
            if (current is null || current.Name != log.TopicPartition.Topic)
            {
                current = new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = log.TopicPartition.Topic };
                result.Topics.Add(current);
            }

            current.Partitions.Add(new DescribeLogDirsResponse.DescribeLogDirsPartition
            {
                PartitionIndex = log.TopicPartition.Partition,
                PartitionSize = log.SizeInBytes,
                OffsetLag = 0,
                IsFutureKey = false,
            });
        }

        return result;
    }
}
