using System.Diagnostics.CodeAnalysis;

namespace Runnel.Protocol.Primitives;

/// <summary>Throw sites kept out of line so hot decode methods stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowProtocol(ProtocolErrorReason reason) =>
        throw new ProtocolException(reason, reason switch
        {
            ProtocolErrorReason.Truncated => "message ends before the field does",
            ProtocolErrorReason.NegativeLength => "negative length",
            ProtocolErrorReason.LengthExceedsRemaining => "declared length exceeds the bytes remaining in the message",
            ProtocolErrorReason.NullNotAllowed => "null value in a version where the field is not nullable",
            ProtocolErrorReason.VarIntTooLong => "varint longer than allowed",
            ProtocolErrorReason.InvalidUtf8 => "string is not valid UTF-8",
            ProtocolErrorReason.TaggedFieldSizeMismatch => "tagged field size does not match its content",
            ProtocolErrorReason.TrailingBytes => "unexpected bytes after the message",
            ProtocolErrorReason.InvalidBoolean => "boolean byte is neither 0 nor 1",
            _ => reason.ToString(),
        });

    [DoesNotReturn]
    public static void ThrowBufferTooSmall() =>
        throw new InvalidOperationException("The output buffer is smaller than GetSize reported; the size and write paths disagree.");
}
