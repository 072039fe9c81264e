using System.Text.Json;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

public class ScrapSpikeEndToEndTests
{
    private const string Line = "L1";
    private const string Partition = "line/P1/L1";
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ScrapReported_BelowThreshold_UpdatesYieldMetricsWithoutAlerts()
    {
        await using var host = await StartAsync();

        await host.PublishAndWaitAsync(Scrap("s-1", scrap: 3, good: 97, Start));

        host.Plant.Notification.Sent.Should().BeEmpty();
        var metrics = await MetricsAsync(host);
        metrics.GetProperty("yield").GetDecimal().Should().Be(0.97m);
        metrics.GetProperty("scrapRate").GetDecimal().Should().Be(0.03m);
        metrics.GetProperty("baselineYield").GetDecimal().Should().Be(0.98m);
        var audit = await host.AuditOfAsync(Partition);
        audit.Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(ScrapYieldMetricsRule.RuleName).And.NotContain(ScrapSpikeRule.RuleName);
        audit.Should().Contain(r => r.Action == "yield-metrics-updated");
    }

    [Fact]
    public async Task ScrapReported_Spike_AlertsQualityMaintenanceAndPlannerOnceWhileItLasts()
    {
        var settings = new ScrapSpikeSettings().SetBaseline(EngineTestHost.Site, Line, 0.99m);
        await using var host = await StartAsync(settings);

        await host.PublishAndWaitAsync(Scrap("s-1", scrap: 1, good: 99, Start));
        host.Plant.Notification.Sent.Should().BeEmpty("1 % scrap is the baseline");

        await host.PublishAndWaitAsync(Scrap("s-2", scrap: 10, good: 90, Start.AddMinutes(10)));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Notification.SentTo(Role.QualityEngineer, EngineTestHost.Site).Should().ContainSingle();
        host.Plant.Notification.SentTo(Role.QualityManager, EngineTestHost.Site).Should().ContainSingle();
        host.Plant.Notification.SentTo(Role.Maintenance, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Contain(Line);
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle().Which.Request.Body.Should().Contain("5.5");
        (await MetricsAsync(host)).GetProperty("scrapRate").GetDecimal().Should().Be(0.055m);
        (await host.AuditOfAsync(Partition)).Should().Contain(r => r.Action == "processed" && r.Explanation!.Contains(ScrapSpikeRule.RuleName));

        await host.PublishAndWaitAsync(Scrap("s-3", scrap: 5, good: 95, Start.AddMinutes(20)));

        host.Plant.Notification.Sent.Should().HaveCount(3, "a spike that continues is not alerted again");
        (await host.AuditOfAsync(Partition)).Should().ContainSingle(r => r.Action == "spike-alert-suppressed");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task ScrapReported_AfterTheWindowSlidPastTheSpike_ClearsItAndCountsOnlyTheWindow()
    {
        var settings = new ScrapSpikeSettings { Window = TimeSpan.FromHours(8) }.SetBaseline(EngineTestHost.Site, 0.99m);
        await using var host = await StartAsync(settings);
        await host.PublishAndWaitAsync(Scrap("s-1", scrap: 20, good: 80, Start));
        host.Plant.Notification.Sent.Should().HaveCount(3);

        host.Host.Time.Advance(TimeSpan.FromHours(9));
        await host.PublishAndWaitAsync(Scrap("s-2", scrap: 1, good: 99, Start.AddHours(9)));

        var metrics = await MetricsAsync(host);
        metrics.GetProperty("yield").GetDecimal().Should().Be(0.99m, "the spike's bucket left the 8-hour window");
        (await host.AuditOfAsync(Partition)).Should().ContainSingle(r => r.Action == "spike-cleared");
        host.Plant.Notification.Sent.Should().HaveCount(3);
    }

    [Fact]
    public async Task ScrapReported_LateReportOlderThanTheWindow_IsNotCountedEvenWithinItsBucket()
    {
        var settings = new ScrapSpikeSettings { Window = TimeSpan.FromHours(8), BucketsPerWindow = 16 }.SetBaseline(EngineTestHost.Site, 0.98m);
        await using var host = await StartAsync(settings);
        host.Host.Time.Advance(TimeSpan.FromHours(8));
        await host.PublishAndWaitAsync(Scrap("s-1", scrap: 1, good: 99, Start.AddHours(8)));

        // The window runs from 06:00 to 14:00; a report of 05:45 is older than it, though its half-hour bucket is not.
        await host.PublishAndWaitAsync(Scrap("s-late", scrap: 50, good: 0, Start.AddMinutes(-15)));

        (await host.AuditOfAsync(Partition)).Should().ContainSingle(r => r.Action == "outside-window");
        (await MetricsAsync(host)).GetProperty("scrapRate").GetDecimal().Should().Be(0.01m, "scrap from before the window is not the line's scrap rate now");
        host.Plant.Notification.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task ScrapReported_MinimumQuantityNotReached_IsNoSpike()
    {
        await using var host = await StartAsync(new ScrapSpikeSettings { MinimumQuantity = 50 });

        await host.PublishAndWaitAsync(Scrap("s-1", scrap: 5, good: 5, Start));

        host.Plant.Notification.Sent.Should().BeEmpty();
    }

    [Fact]
    public async Task ScrapReported_InAnotherUnitThanTheLinesWindow_IsRejected()
    {
        await using var host = await StartAsync();
        await host.PublishAndWaitAsync(Scrap("s-1", scrap: 5, good: 95, Start));
        var inKilograms = Scrap("s-2", scrap: 5, good: 5, Start.AddMinutes(5)) with
        {
            Data = new ScrapReported { Site = EngineTestHost.Site, Line = Line, Material = ScenarioTestHost.Board, Quantity = new Quantity(2, UnitOfMeasure.Kilogram), GoodQuantity = new Quantity(8, UnitOfMeasure.Kilogram) },
        };

        await host.PublishAndWaitAsync(inKilograms);

        (await host.AuditOfAsync(Partition)).Should().ContainSingle(r => r.Action == "transition-rejected").Which.Reason.Should().StartWith("payload.unit-mismatch");
        (await MetricsAsync(host)).GetProperty("scrapRate").GetDecimal().Should().Be(0.05m, "the rejected report was not counted");
    }

    private static Task<ScenarioTestHost> StartAsync(ScrapSpikeSettings? settings = null) => ScenarioTestHost.StartAsync(scrapSpike: settings);

    private static async Task<JsonElement> MetricsAsync(ScenarioTestHost host)
    {
        var state = await host.Orchestrator.GetPartitionAsync(Partition, ScenarioTestHost.Ct);
        return JsonDocument.Parse(state!.Values[ScrapSpikeWorkflow.YieldMetricsValueName]).RootElement.Clone();
    }

    private static EventEnvelope Scrap(string eventId, decimal scrap, decimal good, DateTimeOffset at) =>
        ScenarioTestHost.Envelope(eventId, EventTypes.ScrapReported, new ScrapReported
        {
            Site = EngineTestHost.Site,
            Line = Line,
            Material = ScenarioTestHost.Board,
            Quantity = Quantity.Each(scrap),
            GoodQuantity = Quantity.Each(good),
        }, at);
}
