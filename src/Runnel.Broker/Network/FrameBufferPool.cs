using System.Buffers;

namespace Runnel.Broker.Network;

/// <summary>
/// Buffers for request frames that span the socket pipe's segments (every large Produce request):
/// the frame is copied into one so the decoder reads one span.
/// </summary>
/// <remarks>
/// Not <see cref="ArrayPool{T}.Shared"/>: it keeps large arrays in per-thread slots, and a request
/// that resumes on another thread-pool thread returns its buffer to that thread's slot, so under
/// load the shared pool keeps allocating megabyte arrays on the large object heap (measured: most
/// of the broker's allocations during a produce run, and a gen2 collection). This pool's buckets
/// are shared by all threads, so once it holds as many buffers as requests are served at once it
/// stops allocating. Frames above <see cref="MaxPooledLength"/> are allocated and dropped, so a rare
/// huge request does not pin its buffer; each size bucket keeps at most
/// <see cref="MaxBuffersPerBucket"/> buffers.
/// </remarks>
internal static class FrameBufferPool
{
    /// <summary>Largest pooled frame; above it a frame gets its own array.</summary>
    public const int MaxPooledLength = 16 * 1024 * 1024;

    /// <summary>Buffers kept per power-of-two size: how many requests of that size may be in flight without allocating.</summary>
    public const int MaxBuffersPerBucket = 16;

    public static ArrayPool<byte> Shared { get; } = ArrayPool<byte>.Create(MaxPooledLength, MaxBuffersPerBucket);
}
