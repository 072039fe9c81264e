using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Storage.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded SQLite store with <c>services.AddManufacturingOrchestration(b => b.UseSqlite("orchestration.db"))</c>.</summary>
public static class SqliteBuilderExtensions
{
    /// <summary>Uses a SQLite file as the durable store; the schema is created or migrated when the store is first resolved.</summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="path">The database file.</param>
    /// <param name="configure">Adjusts the store options (synchronous mode, retention…); the clock defaults to the registered <see cref="TimeProvider"/>.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UseSqlite(this ManufacturingOrchestrationBuilder builder, string path, Action<SqliteStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseStore(services =>
        {
            var options = new SqliteStoreOptions { TimeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System };
            configure?.Invoke(options);
            return SqliteOrchestrationStore.Open(path, options);
        });
    }
}
