using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Storage.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the PostgreSQL store: <c>services.AddManufacturingOrchestration(b => b.UsePostgreSql(connectionString))</c>,
/// with an <see cref="NpgsqlDataSource"/> of your own, with the one registered in the container, or from configuration.
/// </summary>
/// <remarks>
/// The store is opened (and its schema created or migrated) when it is first resolved, in a host at start. The clock and
/// the event serializer are the container's (<see cref="TimeProvider"/>, <see cref="EventSerializer"/>), and so is the
/// logger factory unless the settings give one (<see cref="PostgreSqlStoreOptions.LoggerFactory"/>). A setting out of
/// range refuses the start with an <see cref="OptionsValidationException"/> naming each one; no message names the
/// connection string's password.
/// </remarks>
public static class PostgreSqlBuilderExtensions
{
    private const string ConnectionStringKey = "ConnectionString";

    /// <summary>Uses a PostgreSQL database, named by an Npgsql connection string, as the durable store, with the default settings.</summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="connectionString">The connection string; the store builds a data source from it and disposes it with itself.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UsePostgreSql(this ManufacturingOrchestrationBuilder builder, string connectionString) =>
        UsePostgreSql(builder, connectionString, configure: null);

    /// <summary>Uses a PostgreSQL database, named by an Npgsql connection string, as the durable store.</summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="connectionString">The connection string; the store builds a data source from it and disposes it with itself.</param>
    /// <param name="configure">Adjusts the store settings (schema, command timeout, retention…), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UsePostgreSql(this ManufacturingOrchestrationBuilder builder, string connectionString, Action<PostgreSqlStoreOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseStore(services =>
        {
            var options = new PostgreSqlStoreOptions();
            configure?.Invoke(options);
            options.ConnectionString = connectionString;
            options.DataSource = null;
            return Open(services, options);
        });
    }

    /// <summary>Uses a PostgreSQL database, through a data source the application owns, as the durable store, with the default settings.</summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="dataSource">The data source; the store does not dispose it.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UsePostgreSql(this ManufacturingOrchestrationBuilder builder, NpgsqlDataSource dataSource) =>
        UsePostgreSql(builder, dataSource, configure: null);

    /// <summary>Uses a PostgreSQL database, through a data source the application owns, as the durable store.</summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="dataSource">The data source; the store does not dispose it.</param>
    /// <param name="configure">Adjusts the store settings (schema, command timeout, retention…), or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UsePostgreSql(this ManufacturingOrchestrationBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlStoreOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        return builder.UseStore(services =>
        {
            var options = new PostgreSqlStoreOptions();
            configure?.Invoke(options);
            options.DataSource = dataSource;
            return Open(services, options);
        });
    }

    /// <summary>
    /// Uses a PostgreSQL database as the durable store through the <see cref="NpgsqlDataSource"/> registered in the
    /// container (for example by <c>AddNpgsqlDataSource</c>); the container owns it.
    /// </summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <returns>The builder.</returns>
    /// <remarks>Without a registered data source the first resolution fails with an <see cref="InvalidOperationException"/> that says so.</remarks>
    public static ManufacturingOrchestrationBuilder UsePostgreSql(this ManufacturingOrchestrationBuilder builder) =>
        UsePostgreSql(builder, static _ => { });

    /// <summary>
    /// Uses a PostgreSQL database as the durable store through the <see cref="NpgsqlDataSource"/> registered in the
    /// container; the container owns it.
    /// </summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="configure">Adjusts the store settings (schema, command timeout, retention…).</param>
    /// <returns>The builder.</returns>
    /// <remarks>Without a registered data source the first resolution fails with an <see cref="InvalidOperationException"/> that says so.</remarks>
    public static ManufacturingOrchestrationBuilder UsePostgreSql(this ManufacturingOrchestrationBuilder builder, Action<PostgreSqlStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseStore(services =>
        {
            var options = new PostgreSqlStoreOptions();
            configure(options);
            options.DataSource = RegisteredDataSource(services);
            return Open(services, options);
        });
    }

    /// <summary>
    /// Uses a PostgreSQL database as the durable store, its settings bound from a configuration section such as
    /// <c>builder.Configuration.GetSection("ManufacturingOrchestration:PostgreSql")</c>: <c>ConnectionString</c> (when
    /// missing, the <see cref="NpgsqlDataSource"/> registered in the container is used) and the
    /// <see cref="PostgreSqlStoreOptions"/> (<c>Schema</c>, <c>CommandTimeout</c>, <c>RetentionWindow</c>,
    /// <c>PruneInterval</c>). The section is read when the store is first resolved.
    /// </summary>
    /// <param name="builder">The orchestration builder.</param>
    /// <param name="configuration">The section.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UsePostgreSql(this ManufacturingOrchestrationBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.UseStore(services =>
        {
            var options = new PostgreSqlStoreOptions
            {
                Schema = configuration[nameof(PostgreSqlStoreOptions.Schema)] ?? "mo",
            };
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = false);
            options.ConnectionString = configuration[ConnectionStringKey];
            options.DataSource = string.IsNullOrWhiteSpace(options.ConnectionString) ? services.GetService<NpgsqlDataSource>() : null;
            return Open(services, options);
        });
    }

    private static NpgsqlDataSource RegisteredDataSource(IServiceProvider services) =>
        services.GetService<NpgsqlDataSource>()
        ?? throw new InvalidOperationException("UsePostgreSql() without a connection string needs an NpgsqlDataSource registered in the container (for example with AddNpgsqlDataSource); none is registered.");

    private static PostgreSqlOrchestrationStore Open(IServiceProvider services, PostgreSqlStoreOptions options)
    {
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new OptionsValidationException(Options.Options.DefaultName, typeof(PostgreSqlStoreOptions), problems);
        }

        options.LoggerFactory ??= services.GetService<ILoggerFactory>();
        return PostgreSqlOrchestrationStore.Open(options, services.GetService<TimeProvider>(), services.GetService<EventSerializer>());
    }
}
