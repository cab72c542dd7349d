using Runnel.Cli.Records;

namespace Runnel.Cli.Commands;

/// <summary>What <c>runnel produce</c> was asked to do, after parsing and validation.</summary>
internal sealed record ProduceSettings(
    string Topic,
    int? Partition,
    Dictionary<string, string> Config,
    LineReaderOptions ReaderOptions);
