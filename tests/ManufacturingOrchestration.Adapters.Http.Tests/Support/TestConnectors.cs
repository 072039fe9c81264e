using ManufacturingOrchestration.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ManufacturingOrchestration.Adapters.Http.Tests.Support;

/// <summary>Builds connectors against a loopback server with a small, fast resilience budget.</summary>
public static class TestConnectors
{
    public const string ErpName = "erp-test";
    public const string WmsName = "wms-test";

    /// <summary>Tiny delays, three attempts, a circuit that does not trip unless a test wants it to.</summary>
    public static void Fast(HttpConnectorOptions options, Uri baseAddress)
    {
        options.BaseAddress = baseAddress;
        var r = options.Resilience;
        r.Retry.MaxRetryAttempts = 2;
        r.Retry.Delay = TimeSpan.FromMilliseconds(1);
        r.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        r.Retry.UseJitter = false;
        r.AttemptTimeout.Timeout = TimeSpan.FromSeconds(2);
        r.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(5);
        r.CircuitBreaker.MinimumThroughput = 1000;
        r.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(5);
        r.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(1);
    }

    public static ServiceProvider Services(
        LoopbackServer server,
        Action<HttpConnectorOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        CapturingLoggerProvider? logs = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                builder.AddProvider(logs);
            }
        });
        services?.Invoke(collection);
        collection.AddHttpErpConnector(ErpName, o =>
        {
            Fast(o, server.BaseAddress);
            configure?.Invoke(o);
        });
        collection.AddHttpWmsConnector(WmsName, o =>
        {
            Fast(o, server.BaseAddress);
            configure?.Invoke(o);
        });
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public static JsonRestErpConnector Erp(ServiceProvider provider) => provider.GetRequiredKeyedService<JsonRestErpConnector>(ErpName);

    public static JsonRestWmsConnector Wms(ServiceProvider provider) => provider.GetRequiredKeyedService<JsonRestWmsConnector>(WmsName);

    public static CommandContext Context(string key = "idem-1", string? causation = null) =>
        new() { IdempotencyKey = key, CorrelationId = "corr-7", CausationId = causation, Site = new SiteId("PLANT-1") };

    public static ChangeStockCategoryRequest Block(string lot = "LOT-1", string key = "idem-1") => new()
    {
        Context = Context(key),
        Lot = new LotId(lot),
        Material = new MaterialId("MAT-1"),
        Site = new SiteId("PLANT-1"),
        Quantity = new Quantity(5m, UnitOfMeasure.Kilogram),
        FromCategory = StockCategory.Unrestricted,
        ToCategory = StockCategory.Blocked,
        ReasonCode = ReasonCode.Parse("qm.inspection-failed"),
    };
}

/// <summary>A credential provider with a fixed secret that counts its calls.</summary>
public sealed class SecretProvider(string value) : ICredentialProvider
{
    private int _calls;

    public int Calls => _calls;

    public ValueTask<string?> GetCredentialAsync(string connectorName, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult<string?>(value);
    }
}
