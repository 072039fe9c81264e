using ManufacturingOrchestration.Samples.FinishedGoodsRelease;

namespace ManufacturingOrchestration.Samples.Tests.FinishedGoodsRelease;

public class FinishedGoodsReleaseSampleTests
{
    [Fact]
    public async Task RunAsync_Release_FreesStockLiftsTheHoldNotifiesAndPublishesGenealogyOnce()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        using var output = new StringWriter();
        try
        {
            var report = await FinishedGoodsReleaseSample.RunAsync(new SampleOptions { OutputDirectory = directory }, output, TestContext.Current.CancellationToken);

            report.Facts["unrestricted"].Should().Be(50);
            report.Facts["quality-inspection"].Should().Be(0);
            report.Facts["shipment-hold"].Should().Be(0);
            report.Facts["atp"].Should().Be(50);
            report.Facts["customer-service-notices"].Should().Be(1);
            report.Facts["genealogy-links"].Should().Be(2);
            report.Facts["genealogy-publications"].Should().Be(1);
            report.Facts["duplicate-release"].Should().Be(1);
            report.EventsPublished.Should().Be(2);
            report.EventsAccepted.Should().Be(1);
            report.EventsDuplicate.Should().Be(1, "the QMS sent the release twice");
            report.EventsProcessed.Should().Be(1);
            report.EffectKeysUnique.Should().BeTrue();
            report.AuditValid.Should().BeTrue();
            report.OpenDeadLetters.Should().Be(0);
            Directory.GetFiles(Path.Combine(directory, "traceability")).Should().ContainSingle();
            output.ToString().Should().Contain("2 published = 1 accepted + 1 answered Duplicate");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
