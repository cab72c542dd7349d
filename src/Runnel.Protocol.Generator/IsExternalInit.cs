namespace System.Runtime.CompilerServices;

/// <summary>Lets netstandard2.0 compile C# records (the compiler needs this type to exist).</summary>
internal static class IsExternalInit
{
}
