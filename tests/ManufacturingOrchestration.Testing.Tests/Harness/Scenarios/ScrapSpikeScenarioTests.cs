using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing.Tests.Harness.Scenarios;

/// <summary>Scenario 4 (production scrap spike) tested through the harness; the window moves with the harness's clock.</summary>
public sealed class ScrapSpikeScenarioTests
{
    private const string Line = "L1";
    private const string Partition = "line/P1/L1";
    private static readonly SiteId Site = new("P1");
    private static readonly MaterialId Board = new("PCB-1");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ScrapReported_SpikeOverTheLinesBaseline_AlertsQualityMaintenanceAndPlanningOnceWhileItLasts()
    {
        await using var harness = await StartAsync();

        await harness.PublishAndWaitAsync([Scrap("s-1", scrap: 1, good: 99)], Ct);
        harness.Effects.Count.Should().Be(0, "1 % scrap is the line's baseline");
        (await MetricsAsync(harness)).GetProperty("yield").GetDecimal().Should().Be(0.99m);

        await harness.PublishAndWaitAsync([Scrap("s-2", scrap: 10, good: 90)], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int> { [CommandKinds.NotificationSend] = 3 });
        harness.Plant.Notification.SentTo(Role.QualityEngineer, Site).Should().ContainSingle();
        harness.Plant.Notification.SentTo(Role.QualityManager, Site).Should().ContainSingle();
        harness.Plant.Notification.SentTo(Role.Maintenance, Site).Should().ContainSingle().Which.Request.Subject.Should().Contain(Line);
        harness.Plant.Notification.SentTo(Role.Planner, Site).Should().ContainSingle();
        (await MetricsAsync(harness)).GetProperty("scrapRate").GetDecimal().Should().Be(0.055m);

        await harness.PublishAndWaitAsync([Scrap("s-3", scrap: 5, good: 95)], Ct);

        harness.EffectsOf(CommandKinds.NotificationSend).Should().HaveCount(3, "a spike that continues is not alerted again");
        (await harness.Orchestrator.GetAuditTrailAsync(Partition, Ct)).Should().ContainSingle(r => r.Action == "spike-alert-suppressed");
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task ScrapReported_AfterTheWindowMovedPastTheSpike_ClearsItAndTheNextSpikeAlertsAgain()
    {
        await using var harness = await StartAsync();
        await harness.PublishAndWaitAsync([Scrap("s-1", scrap: 20, good: 80)], Ct);
        harness.EffectsOf(CommandKinds.NotificationSend).Should().HaveCount(3);

        await harness.AdvanceAsync(TimeSpan.FromHours(9), Ct);
        await harness.PublishAndWaitAsync([Scrap("s-2", scrap: 1, good: 99)], Ct);

        (await MetricsAsync(harness)).GetProperty("yield").GetDecimal().Should().Be(0.99m, "the spike's bucket left the 8-hour window");
        (await harness.Orchestrator.GetAuditTrailAsync(Partition, Ct)).Should().ContainSingle(r => r.Action == "spike-cleared");
        harness.EffectsOf(CommandKinds.NotificationSend).Should().HaveCount(3);

        await harness.PublishAndWaitAsync([Scrap("s-3", scrap: 30, good: 70)], Ct);

        harness.EffectsOf(CommandKinds.NotificationSend).Should().HaveCount(6, "a new spike after a clear alerts again");
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task ScrapReported_InAnotherUnitThanTheLinesWindow_IsRefusedAndNotCounted()
    {
        await using var harness = await StartAsync();
        await harness.PublishAndWaitAsync([Scrap("s-1", scrap: 1, good: 99)], Ct);
        var inKilograms = Scrap("s-2", scrap: 0, good: 0) with
        {
            Data = new ScrapReported { Site = Site, Line = Line, Material = Board, Quantity = new Quantity(2, UnitOfMeasure.Kilogram), GoodQuantity = new Quantity(8, UnitOfMeasure.Kilogram) },
        };

        await harness.PublishAndWaitAsync([inKilograms], Ct);

        (await harness.Orchestrator.GetAuditTrailAsync(Partition, Ct)).Should().ContainSingle(r => r.Action == "transition-rejected")
            .Which.Reason.Should().StartWith(ReasonCodes.UnitMismatch.Code);
        (await MetricsAsync(harness)).GetProperty("scrapRate").GetDecimal().Should().Be(0.01m, "the refused report was not counted");
        harness.Effects.Count.Should().Be(0);
        await harness.AssertAuditIntactAsync(Ct);
    }

    private static async Task<OrchestrationTestHarness> StartAsync()
    {
        var harness = new OrchestrationTestHarness(new OrchestrationTestHarnessOptions
        {
            Workflows = { ScrapSpikeWorkflow.Create },
            CreateScenarioServices = rules => new ScenarioServices(rules)
            {
                ScrapSpike = new ScrapSpikeSettings { Window = TimeSpan.FromHours(8) }.SetBaseline(Site, Line, 0.99m),
            },
        });
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        return await harness.StartAsync(Ct);
    }

    private static async Task<JsonElement> MetricsAsync(OrchestrationTestHarness harness)
    {
        var state = await harness.Orchestrator.GetPartitionAsync(Partition, Ct);
        using var metrics = JsonDocument.Parse(state!.Values[ScrapSpikeWorkflow.YieldMetricsValueName]);
        return metrics.RootElement.Clone();
    }

    // No event time: the workflow takes the orchestrator's clock, which the harness moves.
    private static EventEnvelope Scrap(string id, decimal scrap, decimal good) => new()
    {
        Id = id,
        Source = "mes://plant-1",
        Type = EventTypes.ScrapReported,
        Site = Site,
        Data = new ScrapReported { Site = Site, Line = Line, Material = Board, Quantity = Quantity.Each(scrap), GoodQuantity = Quantity.Each(good) },
    };
}
