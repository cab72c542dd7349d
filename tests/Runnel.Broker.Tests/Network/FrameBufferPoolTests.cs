using Runnel.Broker.Network;

namespace Runnel.Broker.Tests.Network;

public sealed class FrameBufferPoolTests
{
    [Fact]
    public void A_buffer_returned_on_another_thread_is_handed_out_again()
    {
        // A request rents on one thread and, after an await, returns on another: the next request
        // on the first thread must get that buffer back rather than a new large-object-heap array
        // (ArrayPool<byte>.Shared fails this: the buffer waits in the second thread's own slot).
        Assert.Same(RentReturnElsewhereAndRentAgain(FrameBufferPool.Shared), RentedFirst);
    }

    private byte[]? RentedFirst { get; set; }

    private byte[] RentReturnElsewhereAndRentAgain(System.Buffers.ArrayPool<byte> pool)
    {
        const int Length = 3 * 1024 * 1024 + 17;
        byte[]? second = null;
        var requestThread = new Thread(() =>
        {
            RentedFirst = pool.Rent(Length);
            var otherThread = new Thread(() => pool.Return(RentedFirst));
            otherThread.Start();
            otherThread.Join();
            second = pool.Rent(Length);
        });
        requestThread.Start();
        requestThread.Join();
        pool.Return(second!);
        return second!;
    }

    [Fact]
    public void Frames_above_the_pooled_limit_get_their_own_array_of_at_least_their_size()
    {
        var huge = FrameBufferPool.Shared.Rent(FrameBufferPool.MaxPooledLength + 1);
        Assert.True(huge.Length >= FrameBufferPool.MaxPooledLength + 1);
        FrameBufferPool.Shared.Return(huge);
        var again = FrameBufferPool.Shared.Rent(FrameBufferPool.MaxPooledLength + 1);
        Assert.NotSame(huge, again);
    }
}
