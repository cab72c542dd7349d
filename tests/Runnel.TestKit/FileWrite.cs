namespace Runnel.TestKit;

/// <summary>One write seen by <see cref="FaultyFileSystem.Writing"/>.</summary>
/// <param name="Path">The file written.</param>
/// <param name="Position">Where in the file.</param>
/// <param name="Length">How many bytes.</param>
/// <param name="AllZeros">Whether every byte written is zero.</param>
public readonly record struct FileWrite(string Path, long Position, int Length, bool AllZeros);
