namespace Runnel.Storage.IO;

/// <summary>Helpers over <see cref="IStorageFile"/>.</summary>
public static class StorageFileExtensions
{
    /// <summary>Fills <paramref name="buffer"/> from <paramref name="position"/>, or throws <see cref="EndOfStreamException"/>.</summary>
    public static void ReadExactly(this IStorageFile file, Span<byte> buffer, long position)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = file.Read(buffer[total..], position + total);
            if (read <= 0)
            {
                throw new EndOfStreamException($"{file.Path}: wanted {buffer.Length} bytes at position {position}, the file ends after {total}.");
            }

            total += read;
        }
    }

    /// <summary>Reads as many bytes as are available up to <c>buffer.Length</c>; returns the count.</summary>
    public static int ReadAtMost(this IStorageFile file, Span<byte> buffer, long position)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = file.Read(buffer[total..], position + total);
            if (read <= 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
