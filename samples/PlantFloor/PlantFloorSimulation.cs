using System.Diagnostics;
using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Scenarios.Reconciliation;
using ManufacturingOrchestration.Storage.PostgreSql;
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
/// <remarks>
/// On PostgreSQL (<see cref="PlantFloorPostgres"/>) the same shift runs on one node, or on several clustered nodes in
/// this process that share the run's schema and the plant's systems; the events go to the nodes in turn, and one node
/// can lose its power mid-shift: the others take its buckets over once its leases run out, and the checks must still pass.
/// </remarks>
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
        new SampleCommandLine("PlantFloor", "The plant-floor simulator: a shift at three plants through every shipped scenario on the embedded SQLite store (or on PostgreSQL, with several clustered nodes, one of which can be killed mid-shift), with injected faults, approvals, an SLA breach and a drift reconciliation.")
            .WithEvents()
            .WithSeed("the event mix, the injected faults and the retry jitter")
            .WithOutput("the SQLite store (plant-floor.db), the Mermaid diagrams and the genealogy files")
            .WithText(PlantFloorPostgres.PostgresOption, "CONNECTION", "Run on PostgreSQL instead of the SQLite file: an Npgsql connection string such as Host=localhost;Username=mo;Password=…;Database=mo (its password is never printed). Each run works in a new schema plant_floor_<id>, dropped at the end unless --out DIR is given (then the schema is kept too, and the summary names it).")
            .WithNumber(PlantFloorPostgres.NodesOption, "N", "Run N clustered orchestrator nodes on the --postgres schema (default 1, without cluster mode). They share the plant's systems, events go to them in turn, and each runs on 5 s leases over 32 buckets.", minimum: 1)
            .WithNumber(PlantFloorPostgres.KillOption, "N", "Cut the power of the last node once N plant events are published (needs --nodes 2 or more): it stops as a crashed process does, and the other nodes take its buckets over when its leases run out.", minimum: 1)
            .WithRule(PlantFloorPostgres.Problem)
            .RunAsync(args, output, error, async (options, o, c) =>
            {
                try
                {
                    return (await RunAsync(options, o, c)).Summary.Passed;
                }
                catch (Npgsql.NpgsqlException e)
                {
                    // The server cannot be reached, refuses the login, or went away: one line, no stack trace (Npgsql's
                    // messages never repeat the password).
                    await error.WriteLineAsync($"PlantFloor: PostgreSQL could not be used: {e.Message}");
                    return false;
                }
            }, cancellationToken);

    /// <summary>Runs the simulation and writes its progress and summary.</summary>
    /// <param name="options">Events, seed, output folder, live display.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static Task<PlantFloorReport> RunAsync(SampleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RunAsync(options, PlantFloorPostgres.From(options), output, cancellationToken);
    }

    /// <summary>Runs the simulation on SQLite or on PostgreSQL, and writes its progress and summary.</summary>
    /// <param name="options">Events, seed, output folder, live display.</param>
    /// <param name="postgres">The PostgreSQL store and nodes; <see langword="null"/> for the SQLite file.</param>
    /// <param name="output">Where to write.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report.</returns>
    public static async Task<PlantFloorReport> RunAsync(SampleOptions options, PlantFloorPostgres? postgres, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (postgres is null)
        {
            return await RunShiftAsync(options, new ShiftStore(options.FreshStorePath("plant-floor.db"), null, null, null), output, cancellationToken);
        }

        var schema = postgres.Schema ?? PlantFloorPostgres.NewSchema();
        var where = $"PostgreSQL {postgres.DescribeServer()}, schema {schema}";
        PostgreSqlOrchestrationStore? single = null;
        var opened = false;
        try
        {
            // The first store opened creates the schema; a server that cannot be reached fails here, before anything ran.
            single = await postgres.OpenStoreAsync(schema, TimeProvider.System, cancellationToken);
            opened = true;
            if (postgres.Nodes > 1)
            {
                await single.DisposeAsync();
                single = null;
            }

            return await RunShiftAsync(options, new ShiftStore(where, postgres, schema, single), output, cancellationToken);
        }
        finally
        {
            if (single is not null)
            {
                await single.DisposeAsync();
            }

            if (opened && !options.KeepOutput)
            {
                try
                {
                    await postgres.DropSchemaAsync(schema, CancellationToken.None);
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    await output.WriteLineAsync($"Could not drop schema {schema}: {e.Message}");
                }
            }
        }
    }

    private static async Task<PlantFloorReport> RunShiftAsync(SampleOptions options, ShiftStore store, TextWriter output, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var directory = options.RequireOutputDirectory();
        var storePath = store.Where;
        var postgres = store.Postgres;

        var traceability = Path.Combine(directory, "traceability");
        if (Directory.Exists(traceability))
        {
            Directory.Delete(traceability, recursive: true);
        }

        var cluster = postgres is { Nodes: > 1 }
            ? new SampleCluster
            {
                Nodes = postgres.Nodes,
                OpenStoreAsync = async (_, c) => await postgres.OpenStoreAsync(store.Schema!, TimeProvider.System, c),
                LeaseDuration = postgres.LeaseDuration,
                BucketCount = postgres.BucketCount,
            }
            : null;
        var nodesLine = cluster is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; {cluster.Nodes} clustered nodes ({cluster.BucketCount} buckets, {cluster.LeaseDuration.TotalSeconds:0.#} s leases)");
        await output.WriteLineAsync($"Plant floor: {options.Events} events across P1, P2 and P3 (seed {options.Seed}); store {storePath}{nodesLine}");
        await using var host = await SampleHost.StartAsync(
            options.Seed,
            b => (store.Single is { } single ? b.UseStore(single) : postgres is null ? b.UseSqlite(storePath) : b)
                .AddIncomingInspection()
                .AddScenario(MrbDispositionWorkflow.Create)
                .AddScenario(FinishedGoodsReleaseWorkflow.Create)
                .AddScenario(CycleCountWorkflow.Create)
                .AddScenario(ScrapSpikeWorkflow.Create)
                .AddScenario(ProductionConfirmationWorkflow.Create)
                .AddScenario(services => DriftCorrectionWorkflow.Create(services)),
            configure: o => o.Settings.Approvals.DefaultDeadline = ApprovalDeadline,
            traceabilityDirectory: traceability,
            cluster: cluster,
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
                Backlog = host.Backlog,
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
                // Stopped between rounds, never inside one: an action the orchestrator applied is always recorded by the
                // people who took it, so the draining rounds below do not find it closed by a try they know nothing of.
                await people.ActAsync(cancellationToken);
                await Task.Delay(100, stopPeople.Token);
            }
        }, CancellationToken.None);

        // With several nodes, one can lose its power once so many plant events are out (--kill-node-after).
        var plantEventsPublished = 0;
        NodeKill? kill = null;
        async Task PublishAsync(EventEnvelope envelope)
        {
            await host.PublishAsync(envelope, cancellationToken);
            if (++plantEventsPublished == postgres?.KillNodeAfterEvents)
            {
                kill = NodeKill.Start(host, host.Nodes.Count - 1, plantEventsPublished, stopwatch);
                await progress.AnnounceAsync(string.Create(CultureInfo.InvariantCulture, $"power cut: {kill.NodeId} is dead after {plantEventsPublished} plant events, holding buckets {Buckets(kill.Buckets)}; its leases run out within {postgres.LeaseDuration.TotalSeconds:0.#} s and the other nodes take its buckets over"));
            }
        }

        // Morning: paced. Shift change: everything the night shift saved up arrives at once. Afternoon: paced again.
        var events = mix.Events;
        var morningEnd = (int)(events.Count * 0.4);
        var burstEnd = (int)(events.Count * 0.7);
        await PublishPacedAsync(PublishAsync, events.Take(morningEnd), cancellationToken);
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
                await PublishAsync(envelope);
            }
        }

        phase = "afternoon shift";
        await progress.AnnounceAsync("afternoon shift");
        await PublishPacedAsync(PublishAsync, events.Skip(burstEnd), cancellationToken);

        // Draining: the people keep acting, now in step with the orchestrator going idle. With several nodes, until the
        // shared store has nothing pending and every bucket is held by a node with power — within a time limit.
        phase = "draining";
        await stopPeople.CancelAsync();
        await peopleLoop.ContinueWith(static _ => { }, TaskScheduler.Default);
        var failedChecks = new List<string>();
        using var drainLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (cluster is not null)
        {
            drainLimit.CancelAfter(DrainLimit(cluster));
        }

        try
        {
            while (true)
            {
                await host.WaitForIdleAsync(drainLimit.Token);
                var someoneNeeded = await people.ActAsync(drainLimit.Token);
                if (!someoneNeeded && await host.IsSettledAsync(drainLimit.Token))
                {
                    break;
                }

                await Task.Delay(100, drainLimit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failedChecks.Add(string.Create(CultureInfo.InvariantCulture, $"the cluster did not settle within {DrainLimit(cluster!).TotalSeconds:0} s of the last event: events or commands still pending, or a bucket without a live owner"));
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
        await SettleAsync(host, cluster, failedChecks, cancellationToken);
        phase = "done";
        await stopDisplay.CancelAsync();
        await display;

        var diagrams = Path.Combine(directory, "plant-floor-diagrams.md");
        await Diagrams.WriteAsync(diagrams, host.Orchestrator.Workflows.All, cancellationToken);
        var slaBreaches = (await host.AuditAsync("sla-breached", cancellationToken)).Count;
        var killReport = kill is null ? null : await kill.FinishAsync(host);
        if (kill is not null && killReport!.TakeoverTime is null)
        {
            failedChecks.Add($"the buckets of {kill.NodeId} were not all taken over by the other nodes");
        }

        var summary = await host.ReportAsync("plant-floor", [], new Dictionary<string, decimal>(), failedChecks, cancellationToken);
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
            Schema = store.Schema,
            SchemaKept = store.Schema is not null && options.KeepOutput,
            Nodes = [.. host.Nodes.Select((n, i) => NodeReport(n, kill, i))],
            Kill = killReport,
        };
        await WriteSummaryAsync(report, drift, options.KeepOutput, output);
        return report;
    }

    private static TimeSpan DrainLimit(SampleCluster cluster) => cluster.LeaseDuration * 4 + TimeSpan.FromSeconds(90);

    // With several nodes, waits until the shared store has nothing pending (within the drain limit); one node: until idle.
    private static async Task SettleAsync(SampleHost host, SampleCluster? cluster, List<string> failedChecks, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (cluster is not null)
        {
            limit.CancelAfter(DrainLimit(cluster));
        }

        try
        {
            await host.WaitForIdleAsync(limit.Token);
            while (!await host.IsSettledAsync(limit.Token))
            {
                await Task.Delay(50, limit.Token);
                await host.WaitForIdleAsync(limit.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            failedChecks.Add("the cluster did not settle after the reconciliation");
        }
    }

    private static PlantFloorNodeReport NodeReport(SampleNode node, NodeKill? kill, int index)
    {
        var processed = node.Meters.Total("mo.events.processed");
        var killed = !node.IsAlive;
        var status = node.Orchestrator.Cluster;
        return new PlantFloorNodeReport
        {
            NodeId = node.Id,
            Killed = killed,
            EventsAccepted = node.Accepted,
            EventsProcessed = processed,
            EventsProcessedAfterKill = kill is null ? 0 : processed - kill.ProcessedAtKill[index],
            BucketsAtEnd = killed && kill is not null ? kill.Buckets : status?.OwnedBuckets ?? [],
            LeaseLosses = status?.LeaseLosses ?? 0,
            BucketsTakenOver = kill?.TakenOver.GetValueOrDefault(node.Id) ?? [],
        };
    }

    private static string Buckets(IReadOnlyList<int> buckets) => buckets.Count == 0 ? "none" : string.Join(' ', buckets);

    private static async Task PublishPacedAsync(Func<EventEnvelope, Task> publish, IEnumerable<EventEnvelope> events, CancellationToken cancellationToken)
    {
        foreach (var chunk in events.Chunk(10))
        {
            foreach (var envelope in chunk)
            {
                await publish(envelope);
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
        if (report.Schema is not null)
        {
            lines.Add($"  store: {report.StorePath}" + (report.SchemaKept ? " (kept)" : " (dropped at the end; --out DIR keeps it)"));
        }

        if (report.Nodes.Count > 1)
        {
            var kill = report.Kill;
            lines.Add($"  nodes: {report.Nodes.Count}, events sent to them in turn" + (kill is null ? string.Empty : string.Create(
                CultureInfo.InvariantCulture,
                $"; {kill.NodeId} lost its power after {kill.AfterEvents} plant events, holding buckets {Buckets(kill.Buckets)}: {(kill.TakeoverTime is { } t ? $"all taken over {t.TotalSeconds:0.0} s later" : "NOT all taken over")}, {kill.EventsProcessedBySurvivorsAfterKill} events processed by the others since")));
            foreach (var node in report.Nodes)
            {
                lines.Add(node.Killed
                    ? $"    {node.NodeId} (killed): accepted {node.EventsAccepted}, processed {node.EventsProcessed}; held buckets {Buckets(node.BucketsAtEnd)}; lease losses {node.LeaseLosses}"
                    : $"    {node.NodeId}: accepted {node.EventsAccepted}, processed {node.EventsProcessed}" + (kill is null ? string.Empty : $" ({node.EventsProcessedAfterKill} after the kill)")
                        + $"; buckets at the end {Buckets(node.BucketsAtEnd)}" + (kill is null ? string.Empty : $" ({node.BucketsTakenOver.Count} taken over from {kill.NodeId})") + $"; lease losses {node.LeaseLosses}");
            }
        }

        foreach (var check in s.FailedChecks)
        {
            lines.Add("  CHECK FAILED: " + check);
        }

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

    // Where the shift's store is: the SQLite file, or the PostgreSQL server and schema (with the one node's store, when one).
    private sealed record ShiftStore(string Where, PlantFloorPostgres? Postgres, string? Schema, IOrchestrationStore? Single);
}
