using ManufacturingOrchestration.Samples.QuickStart;
using ManufacturingOrchestration.Samples.Tests.Shared;

namespace ManufacturingOrchestration.Samples.Tests.QuickStart;

public class QuickStartSampleTests
{
    [Fact]
    public async Task RunAsync_FailedInspection_QuarantinesTheWholeLotInTheErp()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        using var output = new StringWriter();
        try
        {
            var blocked = await QuickStartSample.RunAsync(Path.Combine(directory, "quickstart.db"), output, TestContext.Current.CancellationToken);

            blocked.Should().Be(500);
            output.ToString().Should().Contain("Accepted: ERP blocked 500").And.Contain("WMS move tasks: 1").And.Contain("supplier cases: 1").And.NotContain("dead-lettered");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_DefaultCommandLine_LeavesNoFileBehind()
    {
        var run = await SampleRun.StartAsync(QuickStartSample.RunAsync);

        run.ExitCode.Should().Be(0, run.Error);
        run.Output.Should().Contain("Accepted: ERP blocked 500");
        run.OutputFolder.Should().StartWith(Path.GetTempPath());
        Directory.Exists(run.OutputFolder).Should().BeFalse("the store's folder (quickstart.db, its -wal and -shm) is removed at the end");
    }

    [Fact]
    public async Task RunAsync_OutTwice_KeepsTheStoreAndStartsAfreshEachTime()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var first = await SampleRun.StartAsync(QuickStartSample.RunAsync, "--out", directory);
            var second = await SampleRun.StartAsync(QuickStartSample.RunAsync, "--out", directory);

            first.ExitCode.Should().Be(0, first.Error);
            second.ExitCode.Should().Be(0, "an earlier run's store is replaced, so the event is new again: " + second.Output);
            second.Output.Should().Contain("Accepted: ERP blocked 500");
            File.Exists(Path.Combine(directory, "quickstart.db")).Should().BeTrue("a folder the user named is kept");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
