using ManufacturingOrchestration.Samples.QuickStart;

namespace ManufacturingOrchestration.Samples.Tests.QuickStart;

public class QuickStartSampleTests
{
    [Fact]
    public async Task RunAsync_FailedInspection_QuarantinesTheWholeLotInTheErp()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mo-quickstart-test-{Guid.NewGuid():N}.db");
        using var output = new StringWriter();

        var blocked = await QuickStartSample.RunAsync(path, output, TestContext.Current.CancellationToken);

        blocked.Should().Be(500);
        output.ToString().Should().Contain("Accepted: ERP blocked 500").And.Contain("WMS move tasks: 1").And.Contain("supplier cases: 1").And.NotContain("dead-lettered");
    }
}
