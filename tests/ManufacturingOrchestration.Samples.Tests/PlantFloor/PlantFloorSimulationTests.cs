using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Samples.PlantFloor;
using ManufacturingOrchestration.Samples.Tests.Shared;

namespace ManufacturingOrchestration.Samples.Tests.PlantFloor;

public class PlantFloorSimulationTests
{
    [Fact]
    public async Task RunAsync_SmallShift_ProcessesEverythingResolvesEveryDeadLetterAndBreachesAnSla()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        using var output = new StringWriter();
        try
        {
            var report = await PlantFloorSimulation.RunAsync(new SampleOptions { Events = 150, Seed = 11, OutputDirectory = directory }, output, TestContext.Current.CancellationToken);

            var summary = report.Summary;
            summary.NotAccepted.Should().BeEmpty("the generated events are valid and new");
            report.EventsByType.Values.Sum().Should().Be(150);
            summary.EventsPublished.Should().Be(150 + report.ApprovalsSigned, "the sample publishes the plant events and the supervisor's approval answers");
            summary.EventsAccepted.Should().Be(summary.EventsPublished, "every plant event and answer is new");
            summary.EventsDuplicate.Should().Be(0);
            summary.EventsRejected.Should().Be(0);
            summary.EventsFromOrchestrator.Should().Be(report.DriftAlerts, "the reconciliation publishes its drift alerts itself");
            summary.EventsProcessed.Should().Be(summary.EventsAccepted + summary.EventsFromOrchestrator);
            report.EventsByType.Should().HaveCount(7, "every scenario is in the mix");
            report.DeadLetters.Should().HaveCount(PlantFloorSimulation.PermanentFaults).And.OnlyContain(d => d.Resolved);
            report.DeadLetters.Select(d => d.Action).Should().BeEquivalentTo(["Replay", "Skip"]);
            summary.OpenDeadLetters.Should().Be(0);
            report.FaultsInjected.Should().BeGreaterThan(PlantFloorSimulation.PermanentFaults, "transient faults were injected and retried");
            report.CommandAttempts.Should().ContainKey("transient_failure");
            report.ApprovalsSigned.Should().BeGreaterThanOrEqualTo(2);
            report.LateApprovals.Should().Be(1);
            report.SlaBreaches.Should().BeGreaterThanOrEqualTo(1);
            report.ManualErpPostingLot.Should().NotBeNull();
            report.LostWmsPostingLot.Should().NotBeNull();
            report.WmsPostingsLost.Should().Be(1);
            report.WmsPostingsRefused.Should().Be(0);
            report.Drifts.Select(f => f.Lot).Distinct().Should().BeEquivalentTo(
                [report.ManualErpPostingLot!.Value, report.LostWmsPostingLot!.Value],
                "the WMS follows the ERP: only the manual ERP posting and the lost ERP→WMS posting drift — " + string.Join("; ", report.Drifts));
            var manual = report.Drifts.Where(f => f.Lot == report.ManualErpPostingLot).ToArray();
            manual.Select(f => f.Category).Should().BeEquivalentTo([StockCategory.Unrestricted, StockCategory.Blocked]);
            manual.Should().OnlyContain(f => f.DisagreeingSystems.SequenceEqual(new[] { "erp", "wms" }), "the WMS followed the manual ERP posting");
            var lost = report.Drifts.Where(f => f.Lot == report.LostWmsPostingLot).ToArray();
            lost.Select(f => f.Category).Should().BeEquivalentTo([StockCategory.QualityInspection, StockCategory.Unrestricted]);
            lost.Should().OnlyContain(f => f.DisagreeingSystems.SequenceEqual(new[] { "wms" }), "the orchestrator and the ERP agree; the WMS missed the release");
            report.DriftFindings.Should().Be(4);
            report.DriftAlerts.Should().Be(2);
            report.LatencyP99Ms.Should().BeGreaterThanOrEqualTo(report.LatencyP50Ms).And.BeGreaterThan(0);
            report.ActionsBySystem.Keys.Should().Contain(["erp", "mes", "qms", "wms", "procurement", "notification"]);
            summary.EffectKeysUnique.Should().BeTrue();
            summary.AuditValid.Should().BeTrue();
            File.Exists(report.StorePath).Should().BeTrue();
            var diagrams = await File.ReadAllTextAsync(report.DiagramsPath, TestContext.Current.CancellationToken);
            diagrams.Should().Contain("stateDiagram").And.Contain("flowchart").And.Contain("incoming-inspection").And.Contain("cycle-count");
            output.ToString().Should().Contain($"{summary.EventsPublished} published (150 plant events + {report.ApprovalsSigned} approval answers")
                .And.Contain($"{summary.EventsProcessed} processed of {summary.EventsProcessed} accepted in all, {report.DriftAlerts} of them the reconciliation's drift alerts");
            output.ToString().Should().Contain("shift change").And.Contain("Summary").And.Contain("p99")
                .And.Contain("the lost ERP→WMS posting").And.Contain("the manual ERP posting").And.NotContain("UNEXPECTED");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_TwoRunsAtOnce_UseTheirOwnFoldersAndBothVerify()
    {
        var first = SampleRun.StartAsync(PlantFloorSimulation.RunAsync, "--events", "40", "--seed", "3");
        var second = SampleRun.StartAsync(PlantFloorSimulation.RunAsync, "--events", "40", "--seed", "4");

        var runs = await Task.WhenAll(first, second).WaitAsync(SampleRun.TimeLimit + TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        runs.Should().AllSatisfy(run =>
        {
            run.ExitCode.Should().Be(0, run.Output + run.Error);
            run.Output.Should().Contain("audit chain verified").And.Contain("open dead letters 0").And.Contain("every one under its own idempotency key");
            run.OutputFolder.Should().StartWith(Path.GetTempPath());
            Directory.Exists(run.OutputFolder).Should().BeFalse("the run's folder is removed at the end");
        });
        runs[0].OutputFolder.Should().NotBe(runs[1].OutputFolder, "each run gets a folder of its own");
    }

    [Theory]
    [InlineData("--nodes", "3")]
    [InlineData("--kill-node-after", "10")]
    [InlineData("--postgres", "Host=db;Password=s3cret;Nonsense=1")]
    [InlineData("--postgres", "Host=db;Password=s3cret", "--kill-node-after", "10")]
    [InlineData("--postgres", "Host=db;Password=s3cret", "--nodes", "2", "--kill-node-after", "600")]
    public async Task RunAsync_ClusterOptionsThatCannotRun_ExitTwoNamingTheOptionWithoutThePassword(params string[] args)
    {
        var run = await SampleRun.StartAsync(PlantFloorSimulation.RunAsync, args);

        run.ExitCode.Should().Be(2);
        run.Output.Should().BeEmpty("nothing ran");
        run.Error.Should().Contain(args.Length > 2 ? "--kill-node-after" : args[0]).And.NotContain("s3cret").And.NotContain("   at ");
    }

    [Theory]
    [InlineData("--events", "abc")]
    [InlineData("--events=0")]
    [InlineData("--seed", "many")]
    public async Task RunAsync_BadValue_ExitsTwoNamingTheOptionWithoutAStackTrace(params string[] args)
    {
        var run = await SampleRun.StartAsync(PlantFloorSimulation.RunAsync, args);

        run.ExitCode.Should().Be(2);
        run.Output.Should().BeEmpty("nothing ran");
        run.Error.Should().Contain(args[0].Split('=')[0]).And.NotContain("   at ");
    }
}
