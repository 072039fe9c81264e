namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>Settings of a <see cref="JsonLinesAuditSink"/>, with documented defaults.</summary>
public sealed class JsonLinesAuditSinkOptions
{
    /// <summary>The file the records are appended to; it and its folder are created when missing. Required.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// The sink's name, which keys its delivery cursor in the store (<see cref="IAuditSink.Name"/>). Default
    /// <c>json-lines</c>; give each of several JSON-lines sinks its own. The cursor belongs to the name, not the file: a new
    /// file under the same name continues where the old one ended, a new name starts from the first record.
    /// </summary>
    public string Name { get; set; } = "json-lines";

    /// <summary>
    /// How many of its most recent records the sink remembers, by (partition key, sequence), to recognise redelivered
    /// ones; read back from the end of the file when it is opened. Redelivery sends again only records after the saved
    /// cursor, at most one batch, so this must be at least <see cref="AuditSinkOptions.BatchSize"/> (a larger batch is
    /// refused). Default 10,000.
    /// </summary>
    public int DeduplicationWindow { get; set; } = 10_000;

    /// <summary>Validates the settings.</summary>
    /// <exception cref="ArgumentException">A setting is not valid.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Path, nameof(Path));
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        ArgumentOutOfRangeException.ThrowIfLessThan(DeduplicationWindow, 1, nameof(DeduplicationWindow));
    }
}
