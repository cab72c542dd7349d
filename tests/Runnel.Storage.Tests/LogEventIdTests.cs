using System.Reflection;
using Microsoft.Extensions.Logging;
using Runnel.Storage.Log;

namespace Runnel.Storage.Tests;

public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_in_the_storage_assembly_is_unique_and_in_the_storage_range()
    {
        var ids = typeof(PartitionLog).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (Name: $"{x.Method.DeclaringType!.FullName}.{x.Method.Name}", Id: x.Attribute!.EventId))
            .ToList();

        Assert.NotEmpty(ids);
        Assert.All(ids, x => Assert.InRange(x.Id, 1000, 1999));
        var duplicates = ids.GroupBy(x => x.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Name))}");
        Assert.Empty(duplicates);
    }
}
