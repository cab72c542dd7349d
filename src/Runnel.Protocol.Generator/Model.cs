using System.Collections.Generic;

namespace Runnel.Protocol.Generator;

/// <summary>An inclusive version range; <see cref="Max"/> is <see cref="short.MaxValue"/> for "n+".</summary>
internal readonly struct VersionRange
{
    public static readonly VersionRange None = new(1, 0);

    public VersionRange(short min, short max)
    {
        Min = min;
        Max = max;
    }

    public short Min { get; }

    public short Max { get; }

    public bool IsEmpty => Min > Max;

    public bool IsAll(short apiMin, short apiMax) => Min <= apiMin && Max >= apiMax;

    public bool Contains(short version) => version >= Min && version <= Max;

    public VersionRange Intersect(VersionRange other) =>
        new(Min > other.Min ? Min : other.Min, Max < other.Max ? Max : other.Max);

    public override string ToString() => IsEmpty ? "none" : Max == short.MaxValue ? $"{Min}+" : $"{Min}-{Max}";
}

internal enum PrimitiveKind
{
    Int8,
    Int16,
    UInt16,
    Int32,
    Int64,
    Float64,
    Bool,
    Uuid,
    String,
    Bytes,
    Records,
    Struct,
}

internal sealed class FieldType
{
    public FieldType(PrimitiveKind kind, bool isArray, string? structName)
    {
        Kind = kind;
        IsArray = isArray;
        StructName = structName;
    }

    public PrimitiveKind Kind { get; }

    public bool IsArray { get; }

    /// <summary>Struct name for <see cref="PrimitiveKind.Struct"/>; null otherwise.</summary>
    public string? StructName { get; }
}

internal sealed class FieldDef
{
    public FieldDef(string name, FieldType type, VersionRange versions, int line)
    {
        Name = name;
        Type = type;
        Versions = versions;
        Line = line;
    }

    public string Name { get; }

    public FieldType Type { get; }

    public VersionRange Versions { get; }

    public VersionRange Nullable { get; set; } = VersionRange.None;

    public int? Tag { get; set; }

    public string? Default { get; set; }

    public bool Ignorable { get; set; }

    public int Line { get; }
}

internal sealed class StructDef
{
    public StructDef(string name, int line)
    {
        Name = name;
        Line = line;
    }

    public string Name { get; }

    public int Line { get; }

    public List<FieldDef> Fields { get; } = new();
}

internal sealed class SideDef
{
    public SideDef(string className)
    {
        Root = new StructDef(className, 0);
    }

    /// <summary>The message itself, as a struct with the message's class name.</summary>
    public StructDef Root { get; }

    /// <summary>Every nested struct of this side (inline and declared), by name.</summary>
    public List<StructDef> Structs { get; } = new();
}

internal sealed class ApiDef
{
    public ApiDef(string fileName)
    {
        FileName = fileName;
    }

    public string FileName { get; }

    public string Name { get; set; } = "";

    public short Key { get; set; } = -1;

    public VersionRange Versions { get; set; } = VersionRange.None;

    /// <summary>First flexible version; <see cref="short.MaxValue"/> when none.</summary>
    public short FirstFlexible { get; set; } = short.MaxValue;

    public SideDef? Request { get; set; }

    public SideDef? Response { get; set; }
}

internal sealed class ErrorDef
{
    public ErrorDef(short code, string name, bool retriable, string message)
    {
        Code = code;
        Name = name;
        Retriable = retriable;
        Message = message;
    }

    public short Code { get; }

    public string Name { get; }

    public bool Retriable { get; }

    public string Message { get; }
}

internal sealed class DefinitionError
{
    public DefinitionError(string file, int line, string message)
    {
        File = file;
        Line = line;
        Message = message;
    }

    public string File { get; }

    public int Line { get; }

    public string Message { get; }
}
