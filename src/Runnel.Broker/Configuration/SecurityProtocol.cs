namespace Runnel.Broker.Configuration;

/// <summary>Kafka's listener security protocols; names match <c>listener.security.protocol.map</c> values.</summary>
public enum SecurityProtocol
{
    /// <summary>No encryption, no authentication. The only protocol Runnel serves today.</summary>
    Plaintext,

    /// <summary>TLS.</summary>
    Ssl,

    /// <summary>SASL over plain TCP.</summary>
    SaslPlaintext,

    /// <summary>SASL over TLS.</summary>
    SaslSsl,
}
