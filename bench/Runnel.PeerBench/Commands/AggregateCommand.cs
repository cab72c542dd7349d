using System.CommandLine;
using Runnel.PeerBench.Results;

namespace Runnel.PeerBench.Commands;

/// <summary><c>peerbench aggregate</c>: prints the samples file as one table and optionally writes it as Markdown.</summary>
internal sealed class AggregateCommand : Command
{
    private readonly Option<FileInfo> _samples = new("--samples") { Description = "Samples file written by peerbench parse.", Required = true };
    private readonly Option<FileInfo?> _markdown = new("--markdown") { Description = "Also write the table as Markdown to this file." };
    private readonly Option<string[]> _baseline = new("--baseline")
    {
        Description = "A system compared with the best peer (repeatable; baselines are not each other's peers).",
        DefaultValueFactory = _ => ["Runnel", "Runnel (wire clients)"],
    };

    public AggregateCommand()
        : base("aggregate", "Median and range over runs, ratio to the best peer, as a text and a Markdown table.")
    {
        Options.Add(_samples);
        Options.Add(_markdown);
        Options.Add(_baseline);
        SetAction(Run);
    }

    private int Run(ParseResult parseResult)
    {
        List<Sample> samples;
        using (var reader = File.OpenText(parseResult.GetRequiredValue(_samples).FullName))
        {
            samples = Sample.ReadAll(reader);
        }

        ResultTable table = new(new Aggregation(samples, parseResult.GetRequiredValue(_baseline)));
        parseResult.InvocationConfiguration.Output.Write(table.ToText());
        if (parseResult.GetValue(_markdown) is { } markdown)
        {
            File.WriteAllText(markdown.FullName, table.ToMarkdown());
        }

        return 0;
    }
}
