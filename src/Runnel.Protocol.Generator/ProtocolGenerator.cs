using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Runnel.Protocol.Generator;

/// <summary>
/// Turns <c>Definitions/*.def</c> (AdditionalFiles) into message classes, the API registry and
/// the error table. Each file is parsed independently so an edit regenerates only that file's
/// output; the registry depends on all of them.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ProtocolGenerator : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor s_badDefinition = new(
        id: "RNLG0001",
        title: "Invalid protocol definition",
        messageFormat: "{0}",
        category: "Runnel.Protocol.Generator",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    private static readonly DiagnosticDescriptor s_duplicateKey = new(
        id: "RNLG0002",
        title: "Duplicate API key or name",
        messageFormat: "{0}",
        category: "Runnel.Protocol.Generator",
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var files = context.AdditionalTextsProvider
            .Where(static f => f.Path.EndsWith(".def", System.StringComparison.OrdinalIgnoreCase))
            .Select(static (f, ct) => new DefinitionFile(f.Path, f.GetText(ct)?.ToString() ?? ""));

        var apiFiles = files.Where(static f => !IsErrorsFile(f.Path)).Select(static (f, _) => ParseApi(f));
        var errorFiles = files.Where(static f => IsErrorsFile(f.Path)).Select(static (f, _) => ParseErrors(f));

        context.RegisterSourceOutput(apiFiles, static (spc, parsed) =>
        {
            Report(spc, parsed.Errors);
            if (parsed.Api is not null)
            {
                var source = new MessageEmitter(parsed.Api).Emit();
                spc.AddSource(parsed.Api.Name + ".g.cs", SourceText.From(source, Encoding.UTF8));
            }
        });

        context.RegisterSourceOutput(apiFiles.Collect(), static (spc, all) =>
        {
            var apis = new List<ApiDef>();
            var keys = new Dictionary<short, string>();
            var names = new HashSet<string>();
            foreach (var parsed in all)
            {
                if (parsed.Api is not { } api)
                {
                    continue;
                }

                if (keys.TryGetValue(api.Key, out var other) || !names.Add(api.Name))
                {
                    spc.ReportDiagnostic(Diagnostic.Create(s_duplicateKey, Location.None,
                        $"{api.FileName}: API key {api.Key} or name {api.Name} is also defined in {other ?? "another file"}"));
                    continue;
                }

                keys[api.Key] = api.FileName;
                apis.Add(api);
            }

            spc.AddSource("ApiRegistry.g.cs", SourceText.From(RegistryEmitter.EmitApis(apis), Encoding.UTF8));
        });

        context.RegisterSourceOutput(errorFiles, static (spc, parsed) =>
        {
            Report(spc, parsed.Errors);
            spc.AddSource("ErrorCode.g.cs", SourceText.From(RegistryEmitter.EmitErrors(parsed.Codes), Encoding.UTF8));
        });
    }

    private static bool IsErrorsFile(string path) => Path.GetFileName(path) == "Errors.def";

    private static ParsedApi ParseApi(DefinitionFile file)
    {
        var errors = new List<DefinitionError>();
        var api = DefinitionParser.ParseApi(Path.GetFileName(file.Path), file.Text, errors);
        return new ParsedApi(api, errors.Select(e => new ErrorAt(file.Path, e.Line, e.Message)).ToImmutableArray());
    }

    private static ParsedErrors ParseErrors(DefinitionFile file)
    {
        var errors = new List<DefinitionError>();
        var codes = DefinitionParser.ParseErrors(Path.GetFileName(file.Path), file.Text, errors);
        return new ParsedErrors(codes, errors.Select(e => new ErrorAt(file.Path, e.Line, e.Message)).ToImmutableArray());
    }

    private static void Report(SourceProductionContext spc, ImmutableArray<ErrorAt> errors)
    {
        foreach (var e in errors)
        {
            var line = e.Line > 0 ? e.Line - 1 : 0;
            var span = new LinePositionSpan(new LinePosition(line, 0), new LinePosition(line, 0));
            var location = Location.Create(e.Path, new TextSpan(0, 0), span);
            spc.ReportDiagnostic(Diagnostic.Create(s_badDefinition, location, $"{Path.GetFileName(e.Path)}({e.Line}): {e.Message}"));
        }
    }

    private sealed record DefinitionFile(string Path, string Text);

    private sealed record ErrorAt(string Path, int Line, string Message);

    private sealed record ParsedApi(ApiDef? Api, ImmutableArray<ErrorAt> Errors);

    private sealed record ParsedErrors(List<ErrorDef> Codes, ImmutableArray<ErrorAt> Errors);
}
