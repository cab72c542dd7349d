using Runnel.Cli.Perf;

namespace Runnel.Cli.Tests.Perf;

public class PerfCsvTests
{
    [Fact]
    public void Cells_are_invariant_and_quoted_when_needed()
    {
        Assert.Equal(string.Empty, PerfCsv.FormatCell(null));
        Assert.Equal("1234.568", PerfCsv.FormatCell(1234.5678));
        Assert.Equal("42", PerfCsv.FormatCell(42L));
        Assert.Equal("plain", PerfCsv.FormatCell("plain"));
        Assert.Equal("\"a,b\"", PerfCsv.FormatCell("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", PerfCsv.FormatCell("say \"hi\""));
    }
}
