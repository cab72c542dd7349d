namespace Runnel.Protocol.Primitives;

/// <summary>Why a request could not be decoded. Used for logging and metrics labels.</summary>
public enum ProtocolErrorReason
{
    Truncated,
    NegativeLength,
    LengthExceedsRemaining,
    NullNotAllowed,
    VarIntTooLong,
    InvalidUtf8,
    TaggedFieldSizeMismatch,
    TrailingBytes,
    InvalidBoolean,
}

/// <summary>
/// A malformed message. Thrown by the decoder; the connection loop catches it, logs the reason
/// and closes that one connection. Never used for expected outcomes.
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(ProtocolErrorReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public ProtocolErrorReason Reason { get; }
}
