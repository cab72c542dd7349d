using System.Globalization;
using System.Text;

namespace Runnel.Cli.DumpLog;

/// <summary>
/// Writes dump-log's <c>name: value</c> text without allocating per field: numbers are formatted
/// into a stack buffer and record bytes are decoded as UTF-8 (invalid sequences become U+FFFD, as
/// Kafka's <c>StringDecoder</c> does) through one reused char buffer. Not thread-safe.
/// </summary>
internal sealed class DumpWriter(TextWriter output)
{
    // Decoding goes through a fixed buffer in steps, so a multi-megabyte value costs no large array.
    private const int CharChunk = 4096;

    private readonly char[] _chars = new char[CharChunk];
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();

    public TextWriter Output { get; } = output;

    public DumpWriter Text(string text)
    {
        Output.Write(text);
        return this;
    }

    public DumpWriter Number(long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
        Output.Write(digits[..written]);
        return this;
    }

    public DumpWriter Boolean(bool value) => Text(value ? "true" : "false");

    /// <summary>Writes <paramref name="bytes"/> decoded as UTF-8.</summary>
    public DumpWriter Utf8(ReadOnlySpan<byte> bytes)
    {
        _decoder.Reset();
        bool completed = false;
        while (!completed)
        {
            _decoder.Convert(bytes, _chars, flush: true, out int bytesUsed, out int charsUsed, out completed);
            Output.Write(_chars.AsSpan(0, charsUsed));
            bytes = bytes[bytesUsed..];
        }

        return this;
    }

    public void EndLine() => Output.WriteLine();

    public void Line(string text) => Output.WriteLine(text);
}
