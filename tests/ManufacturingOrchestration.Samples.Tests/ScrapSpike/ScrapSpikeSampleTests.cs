using ManufacturingOrchestration.Samples.ScrapSpike;

namespace ManufacturingOrchestration.Samples.Tests.ScrapSpike;

public class ScrapSpikeSampleTests
{
    [Fact]
    public async Task RunAsync_Spike_AlertsQualityMaintenanceAndPlannerOnce()
    {
        using var output = new StringWriter();

        var report = await ScrapSpikeSample.RunAsync(new SampleOptions(), output, TestContext.Current.CancellationToken);

        report.Facts["quality-engineer-alerts"].Should().Be(1);
        report.Facts["maintenance-alerts"].Should().Be(1);
        report.Facts["planner-reviews"].Should().Be(1);
        report.Facts["alerts-suppressed"].Should().BeGreaterThan(0, "a spike that continues is not alerted again");
        report.Facts["final-scrap-rate"].Should().Be(0.06m, "30 of 500 pieces in the window were scrapped");
        report.EventsProcessed.Should().Be(5);
        report.NotAccepted.Should().BeEmpty();
        report.EffectKeysUnique.Should().BeTrue();
        report.AuditValid.Should().BeTrue();
    }
}
