using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Storage.PostgreSql;

/// <summary>
/// Thrown when the store's schema was created or migrated by a newer version of this library: this version does not
/// know it, refuses to open it and leaves it unchanged. Upgrade the library, or restore a matching backup.
/// </summary>
public sealed class PostgreSqlStoreSchemaException : ManufacturingOrchestrationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="target">The database and schema, without credentials (host, port, database, schema).</param>
    /// <param name="foundVersion">The schema version found in the database.</param>
    /// <param name="supportedVersion">The newest schema version this library knows.</param>
    public PostgreSqlStoreSchemaException(string target, int foundVersion, int supportedVersion)
        : base(
            ReasonCodes.StoreSchemaTooNew,
            $"The store '{target}' has schema version {foundVersion}, but this version of ManufacturingOrchestration.Storage.PostgreSql supports up to {supportedVersion}; it was not opened and is unchanged. Upgrade the library to open it.")
    {
        Target = target;
        FoundVersion = foundVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The database and schema, without credentials.</summary>
    public string Target { get; }

    /// <summary>The schema version found in the database.</summary>
    public int FoundVersion { get; }

    /// <summary>The newest schema version this library knows.</summary>
    public int SupportedVersion { get; }
}
