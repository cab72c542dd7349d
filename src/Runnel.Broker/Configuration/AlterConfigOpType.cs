namespace Runnel.Broker.Configuration;

/// <summary>IncrementalAlterConfigs operations; values are the wire's <c>ConfigOperation</c> ids.</summary>
public enum AlterConfigOpType : byte
{
    /// <summary>Set the value.</summary>
    Set = 0,

    /// <summary>Remove the override, falling back to the next layer.</summary>
    Delete = 1,

    /// <summary>Add elements to a list config (elements already present are not repeated).</summary>
    Append = 2,

    /// <summary>Remove elements from a list config.</summary>
    Subtract = 3,
}
