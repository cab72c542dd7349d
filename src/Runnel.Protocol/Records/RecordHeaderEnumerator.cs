namespace Runnel.Protocol.Records;

/// <summary>
/// Walks the headers of one <see cref="Record"/>. The header bytes were fully checked when the record
/// was read, so enumeration cannot fail; use it with <c>foreach</c>.
/// </summary>
public ref struct RecordHeaderEnumerator
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly int _count;
    private int _position;
    private int _index;
    private RecordHeader _current;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> bytes, int count)
    {
        _bytes = bytes;
        _count = count;
        _position = 0;
        _index = 0;
        _current = default;
    }

    public readonly RecordHeader Current => _current;

    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_index >= _count)
        {
            return false;
        }

        // Validated by RecordReader: lengths are in range and the varints well formed.
        RecordVarint.TryReadVarint(_bytes[_position..], out var keyLength, out var read);
        _position += read;
        var key = _bytes.Slice(_position, keyLength);
        _position += keyLength;
        RecordVarint.TryReadVarint(_bytes[_position..], out var valueLength, out read);
        _position += read;
        ReadOnlySpan<byte> value = default;
        if (valueLength >= 0)
        {
            value = _bytes.Slice(_position, valueLength);
            _position += valueLength;
        }

        _current = new RecordHeader(key, value, valueLength >= 0);
        _index++;
        return true;
    }
}
