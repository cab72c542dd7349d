using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Runnel.Broker.Tests.Logging;

/// <summary>Every [LoggerMessage] event id is unique within its assembly, so operators can filter on them.</summary>
public class LogEventIdTests
{
    public static TheoryData<string> Assemblies() => new()
    {
        typeof(BrokerHost).Assembly.GetName().Name!,
        typeof(Runnel.Storage.Log.PartitionLog).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Event_ids_are_unique_per_assembly(string assemblyName)
    {
        var assembly = Assembly.Load(new AssemblyName(assemblyName));
        var ids = new Dictionary<int, string>();
        var duplicates = new List<string>();
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                var attribute = method.GetCustomAttribute<LoggerMessageAttribute>();
                if (attribute is null)
                {
                    continue;
                }

                var name = type.FullName + "." + method.Name;
                if (!ids.TryAdd(attribute.EventId, name))
                {
                    duplicates.Add($"{attribute.EventId}: {ids[attribute.EventId]} and {name}");
                }
            }
        }

        Assert.NotEmpty(ids);
        Assert.Empty(duplicates);
    }
}
