using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

/// <summary>No silent defaults: a site without a profile is refused at start or its events are rejected, never guessed.</summary>
public sealed class SiteProfileTests
{
    private static readonly SiteProfile P1 = new() { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") };

    [Fact]
    public async Task Start_RuleOverlayForASiteWithoutProfile_RefusedNamingTheSite()
    {
        await using var provider = Compose(mo => mo
            .AddSite(P1)
            .UseRules(r => r.AddStandardRules().AddSiteOverlay(new SiteId("P9"), "p9-overlay", "1", _ => { })));

        var act = () => provider.GetRequiredService<Orchestrator>();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("Site P9 has a rule overlay but no profile");
    }

    [Fact]
    public async Task Start_ShippedScenariosWithoutAnySiteProfile_Refused()
    {
        await using var provider = Compose(mo => { });

        var act = () => provider.GetRequiredService<Orchestrator>();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("No site profile is registered for the shipped scenarios");
    }

    [Fact]
    public async Task Start_EverySiteWithAProfile_Starts()
    {
        await using var provider = Compose(mo => mo
            .AddSite(P1)
            .UseRules(r => r.AddStandardRules().AddSiteOverlay(P1.Id, "p1-overlay", "1", _ => { })));

        provider.GetRequiredService<Orchestrator>().Workflows.All.Should().ContainSingle(w => w.Name == IncomingInspectionWorkflow.Name);
    }

    [Fact]
    public async Task InspectionFailed_AtASiteWithoutProfile_RejectedWithTheReasonAndNothingExecuted()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var p7 = new SiteId("P7");
        host.Plant.AddLot(
            new MaterialLot
            {
                Id = new LotId("L-77"), Material = EngineTestHost.Capacitor, Site = p7, Supplier = EngineTestHost.Supplier, Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(10) }],
            },
            new BinId("RCV-P7"));
        var failed = EngineTestHost.Failed("L-77", "qi-77") with { Site = p7 };
        failed = failed with { Data = ((Model.Events.InspectionFailed)failed.Data) with { Site = p7 } };

        await host.PublishAndWaitAsync(failed);

        host.Plant.Erp.Calls.Where(c => c.Command is not null).Should().BeEmpty();
        var audit = await host.Store.ReadAuditAsync("L-77", 1, EngineTestHost.Ct);
        audit.Should().Contain(r => r.Reason.Contains(ReasonCodes.SiteProfileMissing.Code, StringComparison.Ordinal) && r.Reason.Contains("Site P7 has no profile", StringComparison.Ordinal));
    }

    private static ServiceProvider Compose(Action<Engine.DependencyInjection.ManufacturingOrchestrationBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo =>
        {
            mo.UseInMemoryStore().UseAdapters(_ => new PlantSimulator().Adapters).AddIncomingInspection();
            configure(mo);
        });
        return services.BuildServiceProvider();
    }
}
