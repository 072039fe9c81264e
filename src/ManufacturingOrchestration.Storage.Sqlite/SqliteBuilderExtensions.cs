using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the embedded SQLite store with <c>services.AddManufacturingOrchestration(b => b.UseSqlite("orchestration.db"))</c>,
/// or from configuration with <c>b.UseSqlite(configuration.GetSection("ManufacturingOrchestration:Sqlite"))</c>.
/// </summary>
public static class SqliteBuilderExtensions
{
    /// <summary>Uses a SQLite file as the durable store; the schema is created or migrated when the store is first resolved.</summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="path">The database file.</param>
    /// <param name="configure">Adjusts the store settings (synchronous mode, retention…).</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// The clock and the event serializer are the container's (<see cref="TimeProvider"/>, <see cref="EventSerializer"/>).
    /// A setting out of range refuses the start (or the first resolution of the orchestrator) with an
    /// <see cref="OptionsValidationException"/> naming the setting and its range.
    /// </remarks>
    public static ManufacturingOrchestrationBuilder UseSqlite(this ManufacturingOrchestrationBuilder builder, string path, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseStore(services =>
        {
            var options = new SqliteStoreOptions();
            configure?.Invoke(options);
            return Open(services, path, options, configuration: null);
        });
    }

    /// <summary>
    /// Uses a SQLite file as the durable store, its path and settings bound from a configuration section such as
    /// <c>builder.Configuration.GetSection("ManufacturingOrchestration:Sqlite")</c>: <c>Path</c> (required; a relative path
    /// is resolved against the current directory) and the <see cref="SqliteStoreOptions"/> (<c>Synchronous</c>,
    /// <c>BusyTimeout</c>, <c>MaxReaderConnections</c>, <c>RetentionWindow</c>, <c>PruneInterval</c>). The section is read
    /// when the store is first resolved, in a host at start.
    /// </summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="configuration">The section.</param>
    /// <returns>The builder.</returns>
    /// <remarks>
    /// A missing <c>Path</c> or a setting out of range refuses the start with an <see cref="OptionsValidationException"/>
    /// that names each one (with its range). The clock and the event serializer are the container's.
    /// </remarks>
    public static ManufacturingOrchestrationBuilder UseSqlite(this ManufacturingOrchestrationBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.UseStore(services =>
        {
            var options = new SqliteStoreOptions();
            configuration.Bind(options);
            return Open(services, configuration[PathKey], options, configuration);
        });
    }

    private const string PathKey = "Path";

    private static SqliteOrchestrationStore Open(IServiceProvider services, string? path, SqliteStoreOptions options, IConfiguration? configuration)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(path))
        {
            var key = configuration is IConfigurationSection section ? ConfigurationPath.Combine(section.Path, PathKey) : PathKey;
            failures.Add($"{PathKey}: {key} is required: the SQLite database file.");
        }

        failures.AddRange(options.Problems());
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.Options.DefaultName, typeof(SqliteStoreOptions), failures);
        }

        return SqliteOrchestrationStore.Open(path!, options, services.GetService<TimeProvider>(), services.GetService<EventSerializer>());
    }
}
