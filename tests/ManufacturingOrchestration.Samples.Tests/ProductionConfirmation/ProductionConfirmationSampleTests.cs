using ManufacturingOrchestration.Samples.ProductionConfirmation;

namespace ManufacturingOrchestration.Samples.Tests.ProductionConfirmation;

public class ProductionConfirmationSampleTests
{
    [Fact]
    public async Task RunAsync_PartialThenFinal_CompletesEverywhereAndRefusesTheHeldOrder()
    {
        using var output = new StringWriter();

        var report = await ProductionConfirmationSample.RunAsync(new SampleOptions(), output, TestContext.Current.CancellationToken);

        report.Facts["remaining-after-partial"].Should().Be(60);
        report.Facts["erp-confirmed"].Should().Be(100);
        report.Facts["erp-scrap"].Should().Be(2);
        report.Facts["erp-completed"].Should().Be(1);
        report.Facts["mes-completed"].Should().Be(1);
        report.Facts["planner-notices"].Should().Be(1);
        report.Facts["held-order-rejections"].Should().Be(1);
        report.Facts["held-order-notices"].Should().Be(1);
        report.Facts["held-order-confirmed"].Should().Be(0);
        report.EventsProcessed.Should().Be(3);
        report.NotAccepted.Should().BeEmpty();
        report.EffectKeysUnique.Should().BeTrue();
        report.AuditValid.Should().BeTrue();
        report.OpenDeadLetters.Should().Be(0);
    }
}
