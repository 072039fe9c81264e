using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Adapters.Http;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Hosting.Tests;

/// <summary>An HTTP connector composed as a system's adapter supports only the operations it has endpoints for; the host refuses to start without one a workflow needs.</summary>
public sealed class ConnectorCompositionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpErpConnectorWithoutAnEndpointTheInspectionNeeds_HostRefusesToStart_NamingTheOperationAndTheConnector()
    {
        using var plant = HostingTestPlant.Create(TimeProvider.System);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHttpErpConnector("acme-erp", o =>
        {
            o.BaseAddress = new Uri("http://127.0.0.1:9/");
            o.Endpoints.Remove(CommandKinds.ErpChangeStockCategory);
        });
        builder.Services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .UseAdapters(plant.Adapters)
            .AddAdapter(CommandKinds.ErpSystem, sp => sp.GetRequiredKeyedService<JsonRestErpConnector>("acme-erp"))
            .AddSite(new SiteProfile { Id = HostingTestPlant.Site, HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection());
        builder.Services.AddManufacturingOrchestrationHosting();
        using var host = builder.Build();

        var start = async () => await host.StartAsync(Ct);

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(
            "incoming-inspection@1 needs 'erp.change-stock-category': the default erp adapter (JsonRestErpConnector 'acme-erp') does not support 'erp.change-stock-category'");
    }
}
