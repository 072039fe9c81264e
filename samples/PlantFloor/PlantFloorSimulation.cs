using System.Diagnostics;
using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Scenarios.Reconciliation;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>
/// The plant-floor simulator: a shift at three plants (P1, P2, P3) running every shipped scenario on the embedded
/// SQLite store against the simulated ERP, MES, QMS, WMS, procurement and notification systems. The morning is paced,
/// the shift change arrives as one burst, the afternoon is paced again. Some adapter calls fail transiently (the engine
/// retries them), two fail permanently (dead letters the scripted operator replays or skips), approvals are signed by
/// a scripted supervisor — one of them after its SLA deadline. The ERP passes its stock postings to the WMS through
/// the simulated ERP→WMS interface, which loses one of them. At the end: a drift reconciliation of the orchestrator,
/// the ERP and the WMS (finding that lost posting and a manual ERP posting, nothing else), a summary, and the Mermaid
/// diagrams of what ran.
/// </summary>
public static class PlantFloorSimulation
{
    /// <summary>The approval deadline of the simulation (short, so a breach happens within the run).</summary>
    public static readonly TimeSpan ApprovalDeadline = TimeSpan.FromSeconds(2);

    /// <summary>How many permanent faults the shift change brings (each must end as a resolved dead letter).</summary>
    public const int PermanentFaults = 2;

    /// <summary>The command line: <c>--help</c> lists the options; exit 0 when the run's checks pass, 1 when not, 2 for a bad command line.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where the run and <c>--help</c> write.</param>
    /// <param name="error">Where command-line problems are written.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new SampleCommandLine("PlantFloor", "The plant-floor simulator: a shift at three plants through every shipped scenario on the embedded SQLite store, with injected faults, approvals, an SLA breach and a drift reconciliation.")
            .WithEvents()
            .WithSeed("the event mix, the injected faults and the retry jitter")
            .WithOutput("the SQLite store (plant-floor.db), the Mermaid diagrams and the genealogy files")
            .RunAsync(args, output, error, async (options, o, c) => (await RunAsync(options, o, c)).Summary.Passed, cancellationToken);

    /// <summary>Runs the simulation and writes its progress and summary.</summary>
    /// <param name="options">Events, seed, output folder, live display.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static async Task<PlantFloorReport> RunAsync(SampleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var stopwatch = Stopwatch.StartNew();
        var directory = options.RequireOutputDirectory();
        var storePath = options.FreshStorePath("plant-floor.db");

        var traceability = Path.Combine(directory, "traceability");
        if (Directory.Exists(traceability))
        {
            Directory.Delete(traceability, recursive: true);
        }

        await output.WriteLineAsync($"Plant floor: {options.Events} events across P1, P2 and P3 (seed {options.Seed}); store {storePath}");
        await using var host = await SampleHost.StartAsync(
            options.Seed,
            b => b.UseSqlite(storePath)
                .AddIncomingInspection()
                .AddScenario(MrbDispositionWorkflow.Create)
                .AddScenario(FinishedGoodsReleaseWorkflow.Create)
                .AddScenario(CycleCountWorkflow.Create)
                .AddScenario(ScrapSpikeWorkflow.Create)
                .AddScenario(ProductionConfirmationWorkflow.Create)
                .AddScenario(services => DriftCorrectionWorkflow.Create(services)),
            configure: o => o.Settings.Approvals.DefaultDeadline = ApprovalDeadline,
            traceabilityDirectory: traceability,
            cancellationToken: cancellationToken);

        var plant = host.Plant;
        var mix = EventMix.Create(plant, options.Events, options.Seed);
        var people = new ScriptedPeople(host, mix.ApprovalKeys);
        var phase = "morning shift";

        // Transient trouble all day: the WMS and the notification gateway drop some calls, the ERP a few.
        plant.Faults.Configure(CommandKinds.WmsCreateMoveTask, new FaultProfile { TransientFailureRate = 0.25 });
        plant.Faults.Configure(CommandKinds.NotificationSend, new FaultProfile { TransientFailureRate = 0.05 });
        plant.Faults.Configure(CommandKinds.ErpChangeStockCategory, new FaultProfile { TransientFailureRate = 0.05 });

        // And the ERP→WMS interface loses one message: the release of a lot inspected in the afternoon never reaches
        // the WMS, which goes on showing the lot in quality inspection while the ERP has it unrestricted.
        var lostPosting = mix.LotForLostWmsPosting((int)(mix.Events.Count * 0.7));
        if (lostPosting is { } lost)
        {
            plant.ErpToWmsInterface.LoseNext(lost);
        }

        using var stopDisplay = new CancellationTokenSource();
        var progress = new ProgressDisplay(output, options.Interactive);
        var display = progress.RunAsync(
            () => new ProgressSnapshot
            {
                Phase = phase,
                Elapsed = stopwatch.Elapsed,
                Planned = mix.Events.Count,
                Published = host.Published,
                Processed = host.Meters.Total("mo.events.processed"),
                Backlog = host.Orchestrator.Backlog,
                Signed = people.Signed,
                Waiting = people.Waiting,
                Faults = plant.Faults.TotalInjected,
                DeadLetters = $"{people.DeadLetters.Count}/{people.Resolved}",
                SlaBreaches = host.Meters.Total("mo.sla.breaches"),
            },
            stopDisplay.Token);

        using var stopPeople = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var peopleLoop = Task.Run(async () =>
        {
            while (!stopPeople.IsCancellationRequested)
            {
                await people.ActAsync(stopPeople.Token);
                await Task.Delay(100, stopPeople.Token);
            }
        }, CancellationToken.None);

        // Morning: paced. Shift change: everything the night shift saved up arrives at once. Afternoon: paced again.
        var events = mix.Events;
        var morningEnd = (int)(events.Count * 0.4);
        var burstEnd = (int)(events.Count * 0.7);
        await PublishPacedAsync(host, events.Take(morningEnd), cancellationToken);
        phase = "shift change";
        await progress.AnnounceAsync($"shift change: {burstEnd - morningEnd} events at once; the ERP refuses a posting and the notification gateway a message");
        // Each fault is addressed to an event of the burst, not to whichever call comes next, so the same seed fails the
        // same commands however the workers interleave: a confirmation's ERP posting and a failed inspection's
        // notification to procurement.
        plant.Faults.FailCausedBy(CommandKinds.ErpPostProductionConfirmation, mix.FirstEventOf(EventTypes.ProductionConfirmed, morningEnd), AdapterResultStatus.PermanentFailure);
        plant.Faults.FailCausedBy(CommandKinds.NotificationSend, mix.FirstEventOf(EventTypes.InspectionFailed, morningEnd), AdapterResultStatus.PermanentFailure);
        foreach (var chunk in events.Skip(morningEnd).Take(burstEnd - morningEnd).Chunk(100))
        {
            foreach (var envelope in chunk)
            {
                await host.PublishAsync(envelope, cancellationToken);
            }
        }

        phase = "afternoon shift";
        await progress.AnnounceAsync("afternoon shift");
        await PublishPacedAsync(host, events.Skip(burstEnd), cancellationToken);

        // Draining: the people keep acting, now in step with the orchestrator going idle.
        phase = "draining";
        await stopPeople.CancelAsync();
        await peopleLoop.ContinueWith(static _ => { }, TaskScheduler.Default);
        while (true)
        {
            await host.Orchestrator.WaitForIdleAsync(cancellationToken);
            var someoneNeeded = await people.ActAsync(cancellationToken);
            if (!someoneNeeded && host.Orchestrator.Backlog == 0)
            {
                break;
            }

            await Task.Delay(100, cancellationToken);
        }

        // Someone posts a correction straight into the ERP, behind the orchestrator's back; reconciliation finds it.
        phase = "reconciling";
        await progress.AnnounceAsync("reconciling: someone posted 5 pieces to blocked stock straight in the ERP" + (lostPosting is { } lostLot ? $"; the ERP→WMS interface lost the release of lot {lostLot}" : string.Empty));
        LotId? manualPosting = null;
        if (mix.CountedLots.FirstOrDefault(l => plant.Erp.QuantityIn(l.Lot, StockCategory.Unrestricted) >= 5) is { Lot.Value: not null } manual)
        {
            manualPosting = manual.Lot;
            await plant.Erp.ChangeStockCategoryAsync(
                new ChangeStockCategoryRequest
                {
                    Context = new CommandContext { IdempotencyKey = "manual-erp-posting-1", CorrelationId = "manual" },
                    Lot = manual.Lot,
                    Material = manual.Material,
                    Site = manual.Site,
                    Quantity = Quantity.Each(5),
                    FromCategory = StockCategory.Unrestricted,
                    ToCategory = StockCategory.Blocked,
                },
                cancellationToken);
        }

        // The orchestrator, the ERP and the WMS compared: the WMS follows the ERP's postings through the interface, so
        // only the manual posting (ERP and WMS against the orchestrator) and the lost one (the WMS alone) are drift.
        var reconciler = new DriftReconciler(host.Orchestrator);
        var drift = await reconciler.ReconcileAsync(mix.Lots, cancellationToken);
        await host.Orchestrator.WaitForIdleAsync(cancellationToken);
        phase = "done";
        await stopDisplay.CancelAsync();
        await display;

        var diagrams = Path.Combine(directory, "plant-floor-diagrams.md");
        await Diagrams.WriteAsync(diagrams, host.Orchestrator.Workflows.All, cancellationToken);
        var slaBreaches = (await host.AuditAsync("sla-breached", cancellationToken)).Count;
        var summary = await host.ReportAsync("plant-floor", [], new Dictionary<string, decimal>(), cancellationToken);
        var report = new PlantFloorReport
        {
            Summary = summary,
            Duration = stopwatch.Elapsed,
            EventsByType = events.GroupBy(e => e.Type).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            BurstEvents = burstEnd - morningEnd,
            ActionsBySystem = plant.Effects.Records.GroupBy(e => e.System).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            CommandAttempts = host.Meters.Commands.GroupBy(c => c.Key.Outcome).ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal),
            FaultsInjected = plant.Faults.TotalInjected,
            PermanentFaultsScheduled = PermanentFaults,
            DeadLetters = people.DeadLetters,
            ApprovalsSigned = people.Signed,
            LateApprovals = people.Late,
            SlaBreaches = slaBreaches,
            DriftFindings = drift.Findings.Count,
            Drifts = drift.Findings,
            ManualErpPostingLot = manualPosting,
            LostWmsPostingLot = lostPosting,
            WmsPostingsLost = plant.ErpToWmsInterface.Lost.Count,
            WmsPostingsRefused = plant.ErpToWmsInterface.Refused.Count,
            DriftAlerts = drift.AlertsRaised.Count,
            LotsReconciled = drift.LotsChecked.Count,
            LatencyP50Ms = host.Meters.LatencyPercentile(50),
            LatencyP99Ms = host.Meters.LatencyPercentile(99),
            DiagramsPath = diagrams,
            StorePath = storePath,
        };
        await WriteSummaryAsync(report, drift, options.KeepOutput, output);
        return report;
    }

    private static async Task PublishPacedAsync(SampleHost host, IEnumerable<EventEnvelope> events, CancellationToken cancellationToken)
    {
        foreach (var chunk in events.Chunk(10))
        {
            foreach (var envelope in chunk)
            {
                await host.PublishAsync(envelope, cancellationToken);
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task WriteSummaryAsync(PlantFloorReport report, DriftReport drift, bool filesKept, TextWriter output)
    {
        var s = report.Summary;
        var lines = new List<string>
        {
            string.Empty,
            string.Create(CultureInfo.InvariantCulture, $"Summary ({report.Duration.TotalSeconds:0.0} s)"),
            "  events: " + SampleHost.DescribeEvents(s, $"published ({report.EventsByType.Values.Sum()} plant events + {report.ApprovalsSigned} approval answers, the supervisor's signatures sent as events)", "the reconciliation's drift alerts"),
            $"  shift-change burst: {report.BurstEvents} of the plant events at once",
            "  plant events by type: " + string.Join(", ", report.EventsByType.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key.Replace("mfg.", string.Empty, StringComparison.Ordinal)} {p.Value}")),
            "  actions per system: " + string.Join(", ", report.ActionsBySystem.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")),
            "  command attempts: " + string.Join(", ", report.CommandAttempts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")),
            $"  faults injected: {report.FaultsInjected} ({report.PermanentFaultsScheduled} permanent, the rest transient and retried)",
            $"  dead letters: {report.DeadLetters.Count} — " + string.Join("; ", report.DeadLetters.Select(d => $"{d.Kind} on {d.PartitionKey}: {d.Action}{(d.Resolved ? string.Empty : " (FAILED)")}")),
            $"  approvals: {report.ApprovalsSigned} signed by the scripted supervisor, {report.LateApprovals} on purpose after the {ApprovalDeadline.TotalSeconds:0} s deadline; SLA breaches: {report.SlaBreaches}",
            $"  ERP→WMS interface: {report.WmsPostingsLost} posting(s) lost{(report.LostWmsPostingLot is { } l ? $" (lot {l})" : string.Empty)}, {report.WmsPostingsRefused} refused by the WMS",
            $"  reconciliation: {report.LotsReconciled} lots checked (orchestrator, ERP, WMS), {report.DriftFindings} drift(s) found in {drift.LotsWithDrift.Count} lot(s), {report.DriftAlerts} drift alert(s) published",
            string.Create(CultureInfo.InvariantCulture, $"  latency (accepted → committed step): p50 {report.LatencyP50Ms:0.0} ms, p99 {report.LatencyP99Ms:0.0} ms"),
            $"  effects: {s.Effects} ({(s.EffectKeysUnique ? "every one under its own idempotency key" : "DUPLICATE idempotency keys")}); audit chain {(s.AuditValid ? "verified" : "BROKEN")}; open dead letters {s.OpenDeadLetters}",
            $"  diagrams: {report.DiagramsPath}" + (filesKept ? string.Empty : " (removed with this run's folder at the end; --out DIR keeps it)"),
        };
        var index = lines.FindIndex(l => l.StartsWith("  reconciliation:", StringComparison.Ordinal)) + 1;
        foreach (var lot in drift.LotsWithDrift)
        {
            var cause = lot == report.ManualErpPostingLot ? "the manual ERP posting" : lot == report.LostWmsPostingLot ? "the lost ERP→WMS posting" : "UNEXPECTED";
            lines.Insert(index++, $"    {cause}: " + string.Join("; ", drift.Findings.Where(f => f.Lot == lot)));
        }

        foreach (var line in lines)
        {
            await output.WriteLineAsync(line);
        }
    }
}
