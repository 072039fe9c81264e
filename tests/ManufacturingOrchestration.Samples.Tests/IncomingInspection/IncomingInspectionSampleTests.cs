using ManufacturingOrchestration.Samples.IncomingInspection;

namespace ManufacturingOrchestration.Samples.Tests.IncomingInspection;

public class IncomingInspectionSampleTests
{
    [Fact]
    public async Task RunAsync_ThreePlants_QuarantinesEverywhereReleasesAfterTheSignatureAndReturnsToTheSupplier()
    {
        using var output = new StringWriter();

        var report = await IncomingInspectionSample.RunAsync(new SampleOptions(), output, TestContext.Current.CancellationToken);

        report.Facts["p1.blocked-after-inspection"].Should().Be(60);
        report.Facts["p1.move-tasks-to-hold"].Should().Be(1);
        report.Facts["p1.supplier-cases"].Should().Be(1);
        report.Facts["p1.work-order-held"].Should().Be(1);
        report.Facts["p1.containment-checks"].Should().Be(1);
        report.Facts["p1.buyer-alerts"].Should().BeGreaterThan(0, "the buyer is asked to expedite an alternate supply");
        report.Facts["p2.unrestricted"].Should().Be(100);
        report.Facts["approvals.waited"].Should().Be(1, "the regulated plant's release needs the quality manager");
        report.Facts["approvals.signed"].Should().Be(1);
        report.Facts["p3.unrestricted"].Should().Be(80);
        report.Facts["p1.blocked-after-mrb"].Should().Be(0);
        report.Facts["p1.supplier-notices"].Should().Be(1);
        report.Facts["p1.ncr-executed"].Should().Be(1);
        report.Signatures.Should().ContainSingle().Which.Should().Contain("e-signature:approve").And.Contain(Plants.QualityManager.Value);
        report.EventsAccepted.Should().Be(report.EventsPublished);
        report.NotAccepted.Should().BeEmpty();
        report.EventsProcessed.Should().Be(report.EventsAccepted + 1, "containment mirrors the hold of the work order in the order's partition, an event the orchestrator emits itself");
        report.EffectKeysUnique.Should().BeTrue();
        report.AuditValid.Should().BeTrue();
        report.OpenDeadLetters.Should().Be(0);
        output.ToString().Should().Contain("Signature trail").And.Contain("erp.change-stock-category");
    }
}
