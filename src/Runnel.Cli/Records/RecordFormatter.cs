using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Runnel.Cli.Records;

/// <summary>
/// Writes consumed records as Kafka's <c>DefaultMessageFormatter</c> does:
/// <c>CreateTime:1700000000000</c>, <c>Partition:0</c>, <c>Offset:42</c>, headers <c>k:v,k2:v2</c>
/// (<c>NO_HEADERS</c> when there are none), key, value; the enabled columns in that order, separated by
/// <c>key.separator</c>, each record ended by <c>line.separator</c>. Bytes are decoded as UTF-8.
/// </summary>
internal sealed class RecordFormatter(RecordFormatterOptions options)
{
    public RecordFormatterOptions Options { get; } = options;

    public void Write(TextWriter output, ConsumeResult<byte[]?, byte[]?> result)
    {
        Message<byte[]?, byte[]?> message = result.Message;
        RecordFormatterOptions o = Options;

        if (o.PrintTimestamp)
        {
            Timestamp timestamp = message.Timestamp;
            output.Write(timestamp.Type switch
            {
                TimestampType.CreateTime => "CreateTime:" + timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture),
                TimestampType.LogAppendTime => "LogAppendTime:" + timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture),
                _ => "NO_TIMESTAMP",
            });
            EndColumn(output, o.PrintPartition || o.PrintOffset || o.PrintHeaders || o.PrintKey || o.PrintValue);
        }

        if (o.PrintPartition)
        {
            output.Write("Partition:");
            output.Write(result.Partition.Value.ToString(CultureInfo.InvariantCulture));
            EndColumn(output, o.PrintOffset || o.PrintHeaders || o.PrintKey || o.PrintValue);
        }

        if (o.PrintOffset)
        {
            output.Write("Offset:");
            output.Write(result.Offset.Value.ToString(CultureInfo.InvariantCulture));
            EndColumn(output, o.PrintHeaders || o.PrintKey || o.PrintValue);
        }

        if (o.PrintHeaders)
        {
            WriteHeaders(output, message.Headers);
            EndColumn(output, o.PrintKey || o.PrintValue);
        }

        if (o.PrintKey)
        {
            WriteBytes(output, message.Key);
            EndColumn(output, o.PrintValue);
        }

        if (o.PrintValue)
        {
            WriteBytes(output, message.Value);
            output.Write(o.LineSeparator);
        }
    }

    /// <summary>Formats one record to a string (tests and small outputs).</summary>
    public string Format(ConsumeResult<byte[]?, byte[]?> result)
    {
        using StringWriter writer = new(CultureInfo.InvariantCulture);
        Write(writer, result);
        return writer.ToString();
    }

    private void EndColumn(TextWriter output, bool moreColumns) =>
        output.Write(moreColumns ? Options.KeySeparator : Options.LineSeparator);

    private void WriteHeaders(TextWriter output, Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            output.Write("NO_HEADERS");
            return;
        }

        for (int i = 0; i < headers.Count; i++)
        {
            if (i > 0)
            {
                output.Write(Options.HeadersSeparator);
            }

            IHeader header = headers[i];
            output.Write(header.Key);
            output.Write(Options.HeadersKeySeparator);
            WriteBytes(output, header.GetValueBytes());
        }
    }

    private void WriteBytes(TextWriter output, byte[]? bytes) =>
        output.Write(bytes is null ? Options.NullLiteral : Encoding.UTF8.GetString(bytes));
}
