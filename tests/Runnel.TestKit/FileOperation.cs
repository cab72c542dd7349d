namespace Runnel.TestKit;

/// <summary>A file-system operation seen by <see cref="FaultyFileSystem.BeforeOperation"/>.</summary>
public enum FileOperation
{
    Open,
    Write,
    Flush,
    SetLength,
    Move,
    Delete,
    SyncDirectory,
}
