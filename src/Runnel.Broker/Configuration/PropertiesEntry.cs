namespace Runnel.Broker.Configuration;

/// <summary>One <c>key=value</c> pair read from a properties file, with the line it starts on (1-based).</summary>
public readonly record struct PropertiesEntry(string Key, string Value, int Line);
