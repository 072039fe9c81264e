using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Samples.CustomConnector;
using ManufacturingOrchestration.Samples.Tests.Shared;

namespace ManufacturingOrchestration.Samples.Tests.CustomConnector;

public class CustomConnectorSampleTests
{
    // The keys the orchestrator derives for the retest commands: (event source, event id, step, kind).
    private static readonly string BusyLotKey = IdempotencyKeys.Derive("qms://P1", "insp-L-CAP-2001", "plan-retest", "lims.record-retest-sample");
    private static readonly string LostAnswerLotKey = IdempotencyKeys.Derive("qms://P1", "insp-L-CAP-2002", "plan-retest", "lims.record-retest-sample");
    private static readonly string RefusedLotKey = IdempotencyKeys.Derive("qms://P2", "insp-L-CAP-2003", "plan-retest", "lims.record-retest-sample");

    [Fact]
    public async Task RunAsync_LimsBusyLosesAnAnswerAndRefusesAMethod_RetriesReplaysAndAppliesEachKeyOnce()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        using var output = new StringWriter();
        try
        {
            var report = await CustomConnectorSample.RunAsync(new SampleOptions { OutputDirectory = directory }, output, TestContext.Current.CancellationToken);

            report.Facts["lims.attempts"].Should().Be(7);
            report.Facts["lims.transient-failures"].Should().Be(3, "two 503 answers and one lost answer, each retried durably");
            report.Facts["lims.already-applied"].Should().Be(1, "the retry after the lost answer finds the sample registered");
            report.Facts["lims.permanent-failures"].Should().Be(1, "ESR-100KHZ was not configured");
            report.Facts["lims.succeeded"].Should().Be(2);
            report.Facts["dead-letters.opened"].Should().Be(1);
            report.Facts["dead-letters.replayed"].Should().Be(1);
            report.Facts["lims.commands-completed"].Should().Be(3);
            report.Facts["lims.journal-effects"].Should().Be(3, "one registration per completed command");
            report.Facts["lims.journal-keys"].Should().Be(3, "each key once");
            report.Facts["lims.queries"].Should().Be(4);
            report.Facts["retest.already-in-lims"].Should().Be(1, "the lab drew L-CAP-2004's sample by hand");
            report.Facts["notifications"].Should().Be(4);
            report.EventsPublished.Should().Be(4);
            report.EventsAccepted.Should().Be(4);
            report.EventsProcessed.Should().Be(4);
            report.Effects.Should().Be(3);
            report.EffectKeysUnique.Should().BeTrue();
            report.OpenDeadLetters.Should().Be(0);
            report.AuditValid.Should().BeTrue();
            report.FailedChecks.Should().BeEmpty();
            report.Passed.Should().BeTrue();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_Out_TheLimsJournalFileHoldsExactlyTheThreeRetestKeys()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var run = await SampleRun.StartAsync(CustomConnectorSample.RunAsync, "--out", directory);

            run.ExitCode.Should().Be(0, run.Output);
            var path = Path.Combine(directory, "lims-journal.jsonl");
            File.ReadAllLines(path).Should().HaveCount(3);
            var journal = LimsJournal.Read(path);
            journal.Select(e => e.RequestId).Should().Equal(BusyLotKey, LostAnswerLotKey, RefusedLotKey);
            journal.Select(e => e.Lot).Should().Equal("L-CAP-2001", "L-CAP-2002", "L-CAP-2003");
            journal.Select(e => e.SampleId).Should().Equal("S-1001", "S-1002", "S-1004");
            journal.Select(e => e.TestMethod).Should().Equal("CAP-LCR-1KHZ", "LEAK-DC-10V", "ESR-100KHZ");
            File.Exists(Path.Combine(directory, "custom-connector.db")).Should().BeTrue("a folder the user named is kept");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_OutTwice_StartsAfreshEachTime()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var first = await SampleRun.StartAsync(CustomConnectorSample.RunAsync, "--out", directory);
            var second = await SampleRun.StartAsync(CustomConnectorSample.RunAsync, "--out", directory);

            first.ExitCode.Should().Be(0, first.Output);
            second.ExitCode.Should().Be(0, "an earlier run's store and journal are replaced: " + second.Output);
            LimsJournal.Read(Path.Combine(directory, "lims-journal.jsonl")).Select(e => e.RequestId).Should().Equal(BusyLotKey, LostAnswerLotKey, RefusedLotKey);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_DefaultCommandLine_PrintsTheChecksExitsZeroAndLeavesNoFileBehind()
    {
        var run = await SampleRun.StartAsync(CustomConnectorSample.RunAsync);

        run.ExitCode.Should().Be(0, run.Output);
        run.Error.Should().BeEmpty();
        run.Output.Should()
            .Contain("→ 503 Service Unavailable").And
            .Contain("but the answer never reaches the caller").And
            .Contain("→ 200 OK S-1002").And
            .Contain("dead letter dl-" + RefusedLotKey + ": lims.registration-refused").And
            .Contain("waiting behind the dead letter: notification.send. The other lots go on.").And
            .Contain("replayed lims.record-retest-sample with the same key " + RefusedLotKey).And
            .Contain("Effects in the LIMS journal: 3; lims.record-retest-sample commands completed in the outbox: 3 — the same idempotency keys.").And
            .Contain("Each key once: 3 distinct key(s) in 3 journal line(s).").And
            .Contain("Attempts at the LIMS: 7 = 2 Succeeded + 1 AlreadyApplied + 3 TransientFailure (retried durably) + 1 PermanentFailure (dead-lettered).").And
            .Contain("Dead letters: 1 opened, 1 replayed, 0 open. Notifications sent: 4.").And
            .Contain("Events: 4 published (failed inspections) = 4 accepted + 0 answered Duplicate + 0 refused; 4 processed of 4 accepted in all.").And
            .Contain("Audit chain: verified.").And
            .NotContain("CHECK FAILED");
        run.OutputFolder.Should().StartWith(Path.GetTempPath());
        Directory.Exists(run.OutputFolder).Should().BeFalse("the store and the journal are removed with the run's folder");
    }

    [Fact]
    public async Task RunAsync_WithoutLims_RefusesToStartNamingTheLimsOperationsAndExitsOne()
    {
        var run = await SampleRun.StartAsync(CustomConnectorSample.RunAsync, "--without-lims");

        run.ExitCode.Should().Be(1);
        run.Error.Should().BeEmpty();
        run.Output.Should()
            .Contain("The orchestrator refuses to start:").And
            .Contain("lims-retest@1 needs 'lims.record-retest-sample': no lims adapter is composed for 'lims.record-retest-sample'").And
            .Contain("lims-retest@1 needs 'lims.find-retest-sample': no lims adapter is composed for 'lims.find-retest-sample'").And
            .NotContain("1. P1", "nothing is published");
    }

    [Fact]
    public async Task RunAsync_WithoutLims_ReportsTheRefusalAsAFailedCheck()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var report = await CustomConnectorSample.RunAsync(new SampleOptions { OutputDirectory = directory, Switches = [CustomConnectorSample.WithoutLims] }, TextWriter.Null, TestContext.Current.CancellationToken);

            report.Passed.Should().BeFalse();
            report.EventsPublished.Should().Be(0);
            report.FailedChecks.Should().ContainSingle().Which.Should().Contain("'lims.record-retest-sample'");
            File.Exists(Path.Combine(directory, "lims-journal.jsonl")).Should().BeTrue("the LIMS runs; only its connector is missing");
            LimsJournal.Read(Path.Combine(directory, "lims-journal.jsonl")).Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_Help_ListsOutAndWithoutLims()
    {
        var run = await SampleRun.StartAsync(CustomConnectorSample.RunAsync, "--help");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        run.Output.Should().Contain("dotnet run --project samples/CustomConnector -c Release").And.Contain("--out <DIR>").And.Contain("--without-lims").And.Contain("-h, --help");
    }
}
