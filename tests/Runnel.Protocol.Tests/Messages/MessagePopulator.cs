using System.Collections;
using System.Reflection;
using System.Text;

namespace Runnel.Protocol.Tests.Messages;

/// <summary>
/// Fills a generated message with random, non-default values in every field (lists get two
/// elements, nested structs are filled recursively), so round trips exercise every field's encoding.
/// </summary>
internal static class MessagePopulator
{
    public static void Populate(object message, Random random, int depth = 0)
    {
        foreach (var property in message.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.Name == "UnknownTaggedFields")
            {
                continue;
            }

            var value = Create(property.PropertyType, random, depth);
            if (value is not null)
            {
                property.SetValue(message, value);
            }
        }
    }

    private static object? Create(Type type, Random random, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(sbyte))
        {
            return (sbyte)random.Next(1, 100);
        }

        if (underlying == typeof(short))
        {
            return (short)random.Next(1, short.MaxValue);
        }

        if (underlying == typeof(ushort))
        {
            return (ushort)random.Next(1, ushort.MaxValue);
        }

        if (underlying == typeof(int))
        {
            return random.Next(1, int.MaxValue);
        }

        if (underlying == typeof(long))
        {
            return random.NextInt64(1, long.MaxValue);
        }

        if (underlying == typeof(double))
        {
            return random.NextDouble() + 1;
        }

        if (underlying == typeof(bool))
        {
            return true;
        }

        if (underlying == typeof(Guid))
        {
            return Guid.NewGuid();
        }

        if (underlying == typeof(string))
        {
            var chars = new char[random.Next(1, 12)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)random.Next('a', 'z' + 1);
            }

            // One multi-byte character so byte and char lengths differ.
            return new string(chars) + "é";
        }

        if (underlying == typeof(byte[]))
        {
            var bytes = new byte[random.Next(1, 20)];
            random.NextBytes(bytes);
            return bytes;
        }

        if (underlying == typeof(ReadOnlyMemory<byte>))
        {
            var bytes = new byte[random.Next(1, 64)];
            random.NextBytes(bytes);
            return (ReadOnlyMemory<byte>?)bytes;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(underlying)!;
            if (depth < 4)
            {
                for (var i = 0; i < 2; i++)
                {
                    list.Add(Create(underlying.GetGenericArguments()[0], random, depth + 1));
                }
            }

            return list;
        }

        if (underlying.IsClass && underlying.GetConstructor(Type.EmptyTypes) is not null)
        {
            var nested = Activator.CreateInstance(underlying)!;
            if (depth < 4)
            {
                Populate(nested, random, depth + 1);
            }

            return nested;
        }

        throw new NotSupportedException("No generator for " + type + " " + Encoding.UTF8.EncodingName);
    }
}
