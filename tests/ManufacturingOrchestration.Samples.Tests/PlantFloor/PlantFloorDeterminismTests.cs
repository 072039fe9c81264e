using System.Globalization;
using ManufacturingOrchestration.Samples.PlantFloor;

namespace ManufacturingOrchestration.Samples.Tests.PlantFloor;

/// <summary>
/// One seed, one outcome: the plant floor run five times in one process while two threads burn the processor (so the
/// workers interleave differently each time) gives the same summary every time — the same events, effects, faults,
/// dead letters, approvals and drift. Only what is measured in wall-clock time (duration, latency, SLA breaches of
/// the run's two-second approval deadline) is left out.
/// </summary>
public class PlantFloorDeterminismTests
{
    private const int Runs = 5;

    [Fact]
    public async Task RunAsync_SameSeedFiveTimesUnderCpuLoad_GivesTheSameSummary()
    {
        using var burners = new ProcessorBurners(2);
        var fingerprints = new List<string>();
        for (var run = 0; run < Runs; run++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
            try
            {
                using var output = new StringWriter();
                var report = await PlantFloorSimulation.RunAsync(new SampleOptions { Events = 120, Seed = 23, OutputDirectory = directory }, output, TestContext.Current.CancellationToken);
                report.Summary.Passed.Should().BeTrue(output.ToString());
                report.DeadLetters.Should().HaveCount(PlantFloorSimulation.PermanentFaults, "both scripted faults hit their command in run {0}", run + 1);
                report.SlaBreaches.Should().BeGreaterThanOrEqualTo(1);
                fingerprints.Add(Fingerprint(report));
            }
            finally
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }

        burners.Spins.Should().BeGreaterThan(0, "the burners ran alongside");
        fingerprints.Skip(1).Should().AllBe(fingerprints[0], "the same seed gives the same run, however the workers interleave");
    }

    [Fact]
    public async Task RunAsync_ScriptedPermanentFaults_FailTheFirstBurstConfirmationPostingAndInspectionNotification()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var output = new StringWriter();
            var report = await PlantFloorSimulation.RunAsync(new SampleOptions { Events = 60, Seed = 5, OutputDirectory = directory }, output, TestContext.Current.CancellationToken);

            report.DeadLetters.Select(d => (d.Kind, d.Action)).Should().BeEquivalentTo(
                [("erp.post-production-confirmation", "Replay"), ("notification.send", "Skip")]);
            report.Summary.OpenDeadLetters.Should().Be(0);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static string Fingerprint(PlantFloorReport report)
    {
        var s = report.Summary;
        static string Map<T>(IReadOnlyDictionary<string, T> map) =>
            string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}")));
        return string.Join(
            Environment.NewLine,
            [
                string.Create(CultureInfo.InvariantCulture, $"events: published {s.EventsPublished}, accepted {s.EventsAccepted}, duplicate {s.EventsDuplicate}, rejected {s.EventsRejected}, from orchestrator {s.EventsFromOrchestrator}, processed {s.EventsProcessed}"),
                string.Create(CultureInfo.InvariantCulture, $"effects {s.Effects}, keys unique {s.EffectKeysUnique}, audit valid {s.AuditValid}, open dead letters {s.OpenDeadLetters}"),
                "by type: " + Map(report.EventsByType),
                "actions: " + Map(report.ActionsBySystem),
                "attempts: " + Map(report.CommandAttempts),
                string.Create(CultureInfo.InvariantCulture, $"faults {report.FaultsInjected}, approvals {report.ApprovalsSigned}, late {report.LateApprovals}"),
                "dead letters: " + string.Join("; ", report.DeadLetters.Select(d => $"{d.Kind} {d.PartitionKey} {d.Action} {d.Resolved}").Order(StringComparer.Ordinal)),
                string.Create(CultureInfo.InvariantCulture, $"drift: {report.DriftFindings} findings, {report.DriftAlerts} alerts, {report.LotsReconciled} lots, manual {report.ManualErpPostingLot}, lost {report.LostWmsPostingLot}, lost postings {report.WmsPostingsLost}, refused {report.WmsPostingsRefused}"),
                .. report.Drifts.Select(d => "  " + d).Order(StringComparer.Ordinal),
            ]);
    }

    /// <summary>Threads that keep the processor busy until disposed, so the run's workers are preempted at random points.</summary>
    private sealed class ProcessorBurners : IDisposable
    {
        private readonly Thread[] _threads;
        private volatile bool _stop;
        private long _spins;

        public ProcessorBurners(int count)
        {
            _threads = [.. Enumerable.Range(0, count).Select(i => new Thread(Burn) { IsBackground = true, Name = "cpu-burner-" + i.ToString(CultureInfo.InvariantCulture) })];
            foreach (var thread in _threads)
            {
                thread.Start();
            }
        }

        public long Spins => Interlocked.Read(ref _spins);

        public void Dispose()
        {
            _stop = true;
            foreach (var thread in _threads)
            {
                thread.Join(TimeSpan.FromSeconds(10)).Should().BeTrue("a burner stops when asked");
            }
        }

        private void Burn()
        {
            while (!_stop)
            {
                Thread.SpinWait(10_000);
                Interlocked.Increment(ref _spins);
            }
        }
    }
}
