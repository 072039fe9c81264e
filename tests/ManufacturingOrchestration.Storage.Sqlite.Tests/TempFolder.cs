[assembly: AssemblyFixture(typeof(ManufacturingOrchestration.Storage.Sqlite.Tests.TempFolder))]

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>A folder for the test databases of this test run, deleted at the end of the run.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "mo-sqlite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>A new, unique database path inside the folder.</summary>
    public string NewDatabasePath(string name = "store") => Path.Combine(Root, $"{name}-{Guid.NewGuid():N}.db");

    /// <summary>A new, empty sub-folder.</summary>
    public string NewFolder(string name)
    {
        var path = Path.Combine(Root, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the operating system cleans its temp folder.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
