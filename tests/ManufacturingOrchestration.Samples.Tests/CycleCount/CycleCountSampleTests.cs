using ManufacturingOrchestration.Samples.CycleCount;

namespace ManufacturingOrchestration.Samples.Tests.CycleCount;

public class CycleCountSampleTests
{
    [Fact]
    public async Task RunAsync_OverTolerance_RefusesTheCounterSignsAsSupervisorPostsAndResumesPicks()
    {
        using var output = new StringWriter();

        var report = await CycleCountSample.RunAsync(new SampleOptions(), output, TestContext.Current.CancellationToken);

        report.Facts["p1.unrestricted"].Should().Be(995, "within tolerance is posted directly");
        report.Facts["p2.picks-paused-while-waiting"].Should().Be(1);
        report.Facts["p2.self-approvals-refused"].Should().Be(1, "the counter may not approve their own count");
        report.Facts["p2.unrestricted"].Should().Be(400);
        report.Facts["p2.picks-paused-at-end"].Should().Be(0);
        report.Facts["p3.unrestricted"].Should().Be(45);
        report.Facts["p3.root-cause-investigations"].Should().Be(1);
        report.Facts["approvals.signed"].Should().Be(2);
        report.Signatures.Should().HaveCount(2).And.OnlyContain(s => s.Contains(Plants.CountSupervisor.Value, StringComparison.Ordinal));
        report.EventsProcessed.Should().Be(report.EventsAccepted);
        report.NotAccepted.Should().BeEmpty();
        report.EffectKeysUnique.Should().BeTrue();
        report.AuditValid.Should().BeTrue();
        report.OpenDeadLetters.Should().Be(0);
    }
}
