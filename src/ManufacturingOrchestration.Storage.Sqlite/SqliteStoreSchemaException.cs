using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Storage.Sqlite;

/// <summary>
/// Thrown when a database file was created or migrated by a newer version of this library: this version does not know
/// its schema, refuses to open it and leaves the file unchanged. Upgrade the library, or restore a matching backup.
/// </summary>
public sealed class SqliteStoreSchemaException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="foundVersion">The schema version found in the file.</param>
    /// <param name="supportedVersion">The newest schema version this library knows.</param>
    public SqliteStoreSchemaException(string path, int foundVersion, int supportedVersion)
        : base(
            ReasonCodes.StoreSchemaTooNew,
            $"The store '{path}' has schema version {foundVersion}, but this version of ManufacturingOrchestration.Storage.Sqlite supports up to {supportedVersion}; the file was not opened for writing and is unchanged. Upgrade the library to open it.")
    {
        Path = path;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The schema version found in the file.</summary>
    public int FoundVersion { get; }

    /// <summary>The newest schema version this library knows.</summary>
    public int SupportedVersion { get; }
}
