using System;
using System.Collections.Generic;
using System.Globalization;

namespace Runnel.Protocol.Generator;

/// <summary>
/// Parses one message definition file (docs/formats/protocol-definitions.md). Errors are
/// collected with their line numbers rather than thrown, so a bad file becomes compiler
/// diagnostics and the rest of the files still generate.
/// </summary>
internal sealed class DefinitionParser
{
    private readonly string _file;
    private readonly List<DefinitionError> _errors;

    private DefinitionParser(string file, List<DefinitionError> errors)
    {
        _file = file;
        _errors = errors;
    }

    public static ApiDef? ParseApi(string file, string text, List<DefinitionError> errors)
    {
        var parser = new DefinitionParser(file, errors);
        return parser.ParseApiCore(text);
    }

    public static List<ErrorDef> ParseErrors(string file, string text, List<DefinitionError> errors)
    {
        var result = new List<ErrorDef>();
        var lineNo = 0;
        foreach (var raw in SplitLines(text))
        {
            lineNo++;
            var line = StripComment(raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var tokens = Tokenize(line);
            if (tokens.Count != 4 || !short.TryParse(tokens[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
                || !IsIdentifier(tokens[1]) || (tokens[2] != "true" && tokens[2] != "false") || !IsQuoted(tokens[3]))
            {
                errors.Add(new DefinitionError(file, lineNo, "expected: <code> <Name> <true|false> \"<message>\""));
                continue;
            }

            result.Add(new ErrorDef(code, tokens[1], tokens[2] == "true", Unquote(tokens[3])));
        }

        return result;
    }

    private ApiDef? ParseApiCore(string text)
    {
        var api = new ApiDef(_file);
        SideDef? side = null;
        // Stack of open structs with the indentation of their members (-1 = not yet known).
        var stack = new List<(StructDef Struct, int Indent)>();
        FieldDef? lastField = null;
        StructDef? declared = null;
        var lineNo = 0;
        var errorCountAtStart = _errors.Count;

        foreach (var raw in SplitLines(text))
        {
            lineNo++;
            var content = StripComment(raw);
            if (content.Trim().Length == 0)
            {
                continue;
            }

            var indent = 0;
            while (indent < content.Length && content[indent] == ' ')
            {
                indent++;
            }

            if (indent < content.Length && content[indent] == '\t')
            {
                Error(lineNo, "tabs are not allowed for indentation");
                continue;
            }

            var tokens = Tokenize(content.Trim());
            if (indent == 0)
            {
                lastField = null;
                declared = null;
                side = ParseHeaderLine(api, tokens, lineNo, side, stack);
                continue;
            }

            if (side is null)
            {
                Error(lineNo, "field outside a request or response section");
                continue;
            }

            // Close structs whose members are indented deeper than this line.
            while (stack.Count > 1 && stack[stack.Count - 1].Indent > indent)
            {
                stack.RemoveAt(stack.Count - 1);
            }

            var top = stack[stack.Count - 1];
            if (top.Indent == -1)
            {
                stack[stack.Count - 1] = (top.Struct, indent);
            }
            else if (indent > top.Indent)
            {
                // Deeper than the current members: the previous line opened a struct.
                StructDef? opened = declared;
                if (opened is null && lastField is not null && lastField.Type.Kind == PrimitiveKind.Struct)
                {
                    opened = new StructDef(lastField.Type.StructName!, lineNo);
                    if (FindStruct(side, opened.Name) is not null)
                    {
                        Error(lineNo, $"struct '{opened.Name}' is defined twice");
                    }

                    side.Structs.Add(opened);
                }

                if (opened is null)
                {
                    Error(lineNo, "unexpected indentation");
                    continue;
                }

                stack.Add((opened, indent));
            }
            else if (indent < top.Indent)
            {
                Error(lineNo, "indentation does not match any enclosing level");
                continue;
            }

            var current = stack[stack.Count - 1].Struct;
            declared = null;
            lastField = null;

            if (tokens[0] == "struct")
            {
                if (tokens.Count != 2 || !IsIdentifier(tokens[1]))
                {
                    Error(lineNo, "expected: struct <Name>");
                    continue;
                }

                if (FindStruct(side, tokens[1]) is not null)
                {
                    Error(lineNo, $"struct '{tokens[1]}' is defined twice");
                }

                declared = new StructDef(tokens[1], lineNo);
                side.Structs.Add(declared);
                continue;
            }

            var field = ParseField(tokens, lineNo);
            if (field is not null)
            {
                foreach (var existing in current.Fields)
                {
                    if (existing.Name == field.Name)
                    {
                        Error(lineNo, $"field '{field.Name}' is defined twice in '{current.Name}'");
                    }
                }

                current.Fields.Add(field);
                lastField = field;
            }
        }

        if (api.Name.Length == 0 || api.Key < 0)
        {
            Error(1, "missing 'api <Name> <key>' line");
        }

        if (api.Versions.IsEmpty)
        {
            Error(1, "missing 'versions <min>-<max>' line");
        }

        if (api.Request is null || api.Response is null)
        {
            Error(1, "both a 'request' and a 'response' section are required");
        }

        if (_errors.Count == errorCountAtStart)
        {
            Validate(api);
        }

        return _errors.Count == errorCountAtStart ? api : null;
    }

    private SideDef? ParseHeaderLine(ApiDef api, List<string> tokens, int lineNo, SideDef? side, List<(StructDef, int)> stack)
    {
        switch (tokens[0])
        {
            case "api" when tokens.Count == 3 && IsIdentifier(tokens[1]) && short.TryParse(tokens[2], NumberStyles.None, CultureInfo.InvariantCulture, out var key):
                api.Name = tokens[1];
                api.Key = key;
                return side;
            case "versions" when tokens.Count == 2 && TryParseRange(tokens[1], out var range) && !range.IsEmpty && range.Max != short.MaxValue:
                api.Versions = range;
                return side;
            case "flexible" when tokens.Count == 2:
                if (tokens[1] == "none")
                {
                    api.FirstFlexible = short.MaxValue;
                }
                else if (TryParseRange(tokens[1], out var flex) && flex.Max == short.MaxValue)
                {
                    api.FirstFlexible = flex.Min;
                }
                else
                {
                    Error(lineNo, "expected: flexible <n>+ | none");
                }

                return side;
            case "request" when tokens.Count == 1:
            case "response" when tokens.Count == 1:
                if (api.Name.Length == 0)
                {
                    Error(lineNo, "the 'api' line must come first");
                    return side;
                }

                var isRequest = tokens[0] == "request";
                var newSide = new SideDef(api.Name + (isRequest ? "Request" : "Response"));
                if ((isRequest ? api.Request : api.Response) is not null)
                {
                    Error(lineNo, $"'{tokens[0]}' section appears twice");
                }

                if (isRequest)
                {
                    api.Request = newSide;
                }
                else
                {
                    api.Response = newSide;
                }

                stack.Clear();
                stack.Add((newSide.Root, -1));
                return newSide;
            default:
                Error(lineNo, $"unknown or malformed line starting with '{tokens[0]}'");
                return side;
        }
    }

    private FieldDef? ParseField(List<string> tokens, int lineNo)
    {
        if (tokens.Count < 3)
        {
            Error(lineNo, "expected: <Name> <type> <versions> [nullable=..] [tag=..] [default=..] [ignorable]");
            return null;
        }

        if (!IsIdentifier(tokens[0]))
        {
            Error(lineNo, $"'{tokens[0]}' is not a valid field name");
            return null;
        }

        var type = ParseType(tokens[1]);
        if (type is null)
        {
            Error(lineNo, $"'{tokens[1]}' is not a valid type");
            return null;
        }

        if (!TryParseRange(tokens[2], out var versions))
        {
            Error(lineNo, $"'{tokens[2]}' is not a valid version range");
            return null;
        }

        var field = new FieldDef(tokens[0], type, versions, lineNo);
        for (var i = 3; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token == "ignorable")
            {
                field.Ignorable = true;
            }
            else if (token.StartsWith("nullable=", StringComparison.Ordinal) && TryParseRange(token.Substring(9), out var nullable))
            {
                field.Nullable = nullable;
            }
            else if (token.StartsWith("tag=", StringComparison.Ordinal) && int.TryParse(token.Substring(4), NumberStyles.None, CultureInfo.InvariantCulture, out var tag))
            {
                field.Tag = tag;
            }
            else if (token.StartsWith("default=", StringComparison.Ordinal) && token.Length > 8)
            {
                field.Default = token.Substring(8);
            }
            else
            {
                Error(lineNo, $"unknown field attribute '{token}'");
            }
        }

        return field;
    }

    private void Validate(ApiDef api)
    {
        foreach (var side in new[] { api.Request!, api.Response! })
        {
            foreach (var s in AllStructs(side))
            {
                var tags = new HashSet<int>();
                foreach (var f in s.Fields)
                {
                    if (f.Type.Kind == PrimitiveKind.Struct && FindStruct(side, f.Type.StructName!) is null)
                    {
                        Error(f.Line, $"struct '{f.Type.StructName}' is not defined in the {side.Root.Name}");
                    }

                    if (f.Tag is int tag)
                    {
                        if (!tags.Add(tag))
                        {
                            Error(f.Line, $"tag {tag} is used twice in '{s.Name}'");
                        }

                        if (f.Versions.Min < api.FirstFlexible)
                        {
                            Error(f.Line, $"tagged field '{f.Name}' exists in a non-flexible version");
                        }
                    }

                    if (!f.Nullable.IsEmpty && !CanBeNull(f.Type))
                    {
                        Error(f.Line, $"field '{f.Name}' of type {f.Type.Kind} cannot be nullable");
                    }

                    if (f.Default is not null && !IsValidDefault(f))
                    {
                        Error(f.Line, $"default '{f.Default}' does not fit the type of '{f.Name}'");
                    }
                }
            }
        }
    }

    private static bool CanBeNull(FieldType type) =>
        type.IsArray || type.Kind is PrimitiveKind.String or PrimitiveKind.Bytes or PrimitiveKind.Records or PrimitiveKind.Struct;

    private static bool IsValidDefault(FieldDef f)
    {
        var d = f.Default!;
        if (d == "null")
        {
            return CanBeNull(f.Type);
        }

        if (f.Type.IsArray)
        {
            return false;
        }

        return f.Type.Kind switch
        {
            PrimitiveKind.Bool => d is "true" or "false",
            PrimitiveKind.String => IsQuoted(d),
            PrimitiveKind.Int8 or PrimitiveKind.Int16 or PrimitiveKind.UInt16 or PrimitiveKind.Int32 or PrimitiveKind.Int64 =>
                long.TryParse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                || (d.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(d.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)),
            PrimitiveKind.Float64 => double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ => false,
        };
    }

    internal static IEnumerable<StructDef> AllStructs(SideDef side)
    {
        yield return side.Root;
        foreach (var s in side.Structs)
        {
            yield return s;
        }
    }

    internal static StructDef? FindStruct(SideDef side, string name)
    {
        foreach (var s in side.Structs)
        {
            if (s.Name == name)
            {
                return s;
            }
        }

        return null;
    }

    private static FieldType? ParseType(string token)
    {
        var isArray = token.StartsWith("[]", StringComparison.Ordinal);
        var name = isArray ? token.Substring(2) : token;
        PrimitiveKind kind;
        switch (name)
        {
            case "int8": kind = PrimitiveKind.Int8; break;
            case "int16": kind = PrimitiveKind.Int16; break;
            case "uint16": kind = PrimitiveKind.UInt16; break;
            case "int32": kind = PrimitiveKind.Int32; break;
            case "int64": kind = PrimitiveKind.Int64; break;
            case "float64": kind = PrimitiveKind.Float64; break;
            case "bool": kind = PrimitiveKind.Bool; break;
            case "uuid": kind = PrimitiveKind.Uuid; break;
            case "string": kind = PrimitiveKind.String; break;
            case "bytes": kind = PrimitiveKind.Bytes; break;
            case "records": kind = PrimitiveKind.Records; break;
            default:
                if (!IsIdentifier(name) || !char.IsUpper(name[0]))
                {
                    return null;
                }

                return new FieldType(PrimitiveKind.Struct, isArray, name);
        }

        if (isArray && kind == PrimitiveKind.Records)
        {
            return null;
        }

        return new FieldType(kind, isArray, null);
    }

    internal static bool TryParseRange(string token, out VersionRange range)
    {
        range = VersionRange.None;
        if (token == "none")
        {
            return true;
        }

        if (token.StartsWith("v", StringComparison.Ordinal))
        {
            token = token.Substring(1);
        }

        if (token.EndsWith("+", StringComparison.Ordinal))
        {
            if (short.TryParse(token.Substring(0, token.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var min))
            {
                range = new VersionRange(min, short.MaxValue);
                return true;
            }

            return false;
        }

        var dash = token.IndexOf('-');
        if (dash < 0)
        {
            if (short.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var only))
            {
                range = new VersionRange(only, only);
                return true;
            }

            return false;
        }

        if (short.TryParse(token.Substring(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            && short.TryParse(token.Substring(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var b) && a <= b)
        {
            range = new VersionRange(a, b);
            return true;
        }

        return false;
    }

    private void Error(int line, string message) => _errors.Add(new DefinitionError(_file, line, message));

    private static IEnumerable<string> SplitLines(string text) => text.Replace("\r\n", "\n").Split('\n');

    private static string StripComment(string line)
    {
        var inQuote = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                inQuote = !inQuote;
            }
            else if (c == '#' && !inQuote && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return line.Substring(0, i);
            }
        }

        return line;
    }

    private static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            if (i >= line.Length)
            {
                break;
            }

            var start = i;
            var inQuote = false;
            while (i < line.Length && (inQuote || !char.IsWhiteSpace(line[i])))
            {
                if (line[i] == '"')
                {
                    inQuote = !inQuote;
                }

                i++;
            }

            tokens.Add(line.Substring(start, i - start));
        }

        return tokens;
    }

    private static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsQuoted(string s) => s.Length >= 2 && s[0] == '"' && s[s.Length - 1] == '"';

    internal static string Unquote(string s) => s.Substring(1, s.Length - 2);
}
