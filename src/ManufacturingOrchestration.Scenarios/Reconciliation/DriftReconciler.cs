using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Scenarios.Reconciliation;

/// <summary>
/// Compares the orchestrator's lot state with the ERP's stock by category and ownership (<see cref="GetErpStockQuery"/>)
/// and the WMS's (<see cref="GetWmsStockQuery"/>), each asked of the adapter the lot's site routes to, reports every drift
/// with its lot, quantities per system and the systems that disagree, counts it in <c>mo.reconciliation.drifts</c>, and
/// raises a business alert for each drifting lot by publishing a <see cref="StockDriftDetected"/> event through the
/// orchestrator.
/// </summary>
/// <remarks>
/// <para><b>Reference.</b> The orchestrator's lot is the reference when it knows the lot (it is the authoritative
/// quality state); otherwise the ERP is, and only the ERP and the WMS are compared. A lot the ERP does not know
/// while the orchestrator does counts as zero stock in the ERP. A lot the WMS does not know is not compared with the
/// WMS (not every lot is warehouse-managed).</para>
/// <para><b>Exactly one alert per drift.</b> The alert event's id is derived from the lot and the drift itself (each
/// system's quantity per category), so the same drift found again in a later run is a duplicate the inbox refuses,
/// and the workflow that turns it into a notification runs once; its command goes through the outbox with a stable
/// idempotency key. A drift that changes gets a new alert. After the store prunes the inbox past its retention, an
/// unchanged drift that is still there is alerted again, as a reminder.</para>
/// <para><b>In flight.</b> The orchestrator commits its state before its commands reach the ERP and WMS, so a lot with
/// pending commands or unprocessed events is skipped (<see cref="DriftReconcilerOptions.SkipLotsInFlight"/>). A parked lot
/// is compared and reported with <see cref="DriftFinding.Parked"/>, but not alerted: its dead letter already is, and its
/// events wait.</para>
/// <para>Thread-safe; runs may overlap, although a <see cref="ReconciliationScheduler"/> never overlaps its own runs.
/// Reads only: nothing is written except the published alert events.</para>
/// </remarks>
public sealed class DriftReconciler
{
    private readonly Orchestrator _orchestrator;
    private readonly DriftReconcilerOptions _options;
    private readonly Lock _gate = new();
    private readonly Queue<DriftReport> _reports = new();
    private readonly Counter<long> _drifts;
    private long _runs;

    /// <summary>Creates a reconciler over an orchestrator's store, adapters, clock and telemetry.</summary>
    /// <param name="orchestrator">The orchestrator; it must be running for alerts to be raised.</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    public DriftReconciler(Orchestrator orchestrator, DriftReconcilerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(orchestrator);
        _options = options ?? new DriftReconcilerOptions();
        _options.Validate();
        _orchestrator = orchestrator;
        _drifts = orchestrator.Telemetry.Meter.CreateCounter<long>("mo.reconciliation.drifts", description: "Stock drifts found by reconciliation (one per lot, category and ownership on which systems disagree).");
    }

    /// <summary>The most recent reports, oldest first (at most <see cref="DriftReconcilerOptions.ReportsKept"/>).</summary>
    public IReadOnlyList<DriftReport> RecentReports
    {
        get
        {
            lock (_gate)
            {
                return _reports.ToArray();
            }
        }
    }

    /// <summary>The latest report, or <see langword="null"/> before the first run.</summary>
    public DriftReport? LatestReport
    {
        get
        {
            lock (_gate)
            {
                return _reports.Count == 0 ? null : _reports.Last();
            }
        }
    }

    /// <summary>
    /// Stock drifts found by the recent runs (kept in memory, lost at restart), oldest first. Filters: site, lot, time
    /// (detected at). Workflow and partition key are refused.
    /// </summary>
    /// <param name="filter">The filter.</param>
    /// <returns>The findings.</returns>
    /// <exception cref="ArgumentException">A workflow or partition key filter was given.</exception>
    public IReadOnlyList<DriftFinding> GetDrifts(OperatorQueryFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter.ThrowIfUnsupported(nameof(GetDrifts), workflow: false, site: true);
        if (filter.PartitionKey is not null && filter.Lot is null)
        {
            throw new ArgumentException($"{nameof(GetDrifts)} filters by lot, not by partition key.", nameof(filter));
        }

        return RecentReports
            .SelectMany(r => r.Findings)
            .Where(f => (filter.Site is null || f.Site == filter.Site) && (filter.Lot is null || f.Lot == filter.Lot) && filter.InRange(f.DetectedAt))
            .OrderBy(f => f.DetectedAt)
            .Take(filter.MaxCount)
            .ToArray();
    }

    /// <summary>Reconciles the given lots.</summary>
    /// <param name="lots">The lots (for instance every lot the ERP reports for a site, or those of a cycle-count zone).</param>
    /// <param name="cancellationToken">Cancels the run; nothing is reported for a cancelled run.</param>
    /// <returns>The report (also kept in <see cref="RecentReports"/>).</returns>
    public async Task<DriftReport> ReconcileAsync(IEnumerable<LotId> lots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lots);
        var started = _orchestrator.TimeProvider.GetUtcNow();
        var runId = string.Create(CultureInfo.InvariantCulture, $"reconciliation-{started:yyyyMMddTHHmmssfffZ}-{Interlocked.Increment(ref _runs)}");
        var checkedLots = new List<LotId>();
        var skipped = new List<LotId>();
        var findings = new List<DriftFinding>();
        var problems = new List<ReconciliationProblem>();
        var raised = new List<LotId>();
        var alreadyRaised = new List<LotId>();
        foreach (var lot in lots.Distinct())
        {
            var outcome = await ReconcileLotAsync(lot, runId, started, cancellationToken).ConfigureAwait(false);
            if (outcome.Skipped)
            {
                skipped.Add(lot);
                continue;
            }

            checkedLots.Add(lot);
            findings.AddRange(outcome.Findings);
            problems.AddRange(outcome.Problems);
            switch (outcome.Alert)
            {
                case PublishStatus.Accepted:
                    raised.Add(lot);
                    break;
                case PublishStatus.Duplicate:
                    alreadyRaised.Add(lot);
                    break;
            }
        }

        foreach (var finding in findings)
        {
            _drifts.Add(1, new KeyValuePair<string, object?>("site", finding.Site?.Value), new KeyValuePair<string, object?>("category", finding.Category.ToString()));
        }

        var report = new DriftReport
        {
            RunId = runId,
            StartedAt = started,
            CompletedAt = _orchestrator.TimeProvider.GetUtcNow(),
            LotsChecked = checkedLots,
            Findings = findings,
            Skipped = skipped,
            Problems = problems,
            AlertsRaised = raised,
            AlertsAlreadyRaised = alreadyRaised,
        };
        lock (_gate)
        {
            _reports.Enqueue(report);
            while (_reports.Count > _options.ReportsKept)
            {
                _reports.Dequeue();
            }
        }

        return report;
    }

    private async Task<LotOutcome> ReconcileLotAsync(LotId lot, string runId, DateTimeOffset now, CancellationToken ct)
    {
        var store = _orchestrator.Store;
        var outcome = new LotOutcome();
        var state = await store.LoadPartitionAsync(lot.Value, ct).ConfigureAwait(false);
        if (_options.SkipLotsInFlight && state is not null)
        {
            var commands = await store.ReadPendingCommandsAsync(lot.Value, ct).ConfigureAwait(false);
            var events = await store.ReadPendingEventsAsync(lot.Value, 0, 1, ct).ConfigureAwait(false);
            if (commands.Count > 0 || (events.Count > 0 && !state.IsParked))
            {
                outcome.Skipped = true;
                return outcome;
            }
        }

        var views = new List<LotStockSnapshot>(3);
        var orchestratorLot = state?.Lot;
        if (orchestratorLot is not null)
        {
            views.Add(new LotStockSnapshot { Lot = lot, System = ReconciliationSystems.Orchestrator, Unit = orchestratorLot.Unit, Buckets = orchestratorLot.Buckets });
        }

        var adapters = _orchestrator.Adapters;
        var site = orchestratorLot?.Site;
        if (adapters.Supports(QueryKinds.ErpGetStock, site))
        {
            try
            {
                var erpStock = await adapters.QueryAsync(new GetErpStockQuery(lot), site, ct).ConfigureAwait(false);
                if (erpStock is not null)
                {
                    views.Add(erpStock with { System = ReconciliationSystems.Erp });
                }
                else if (orchestratorLot is not null)
                {
                    views.Add(new LotStockSnapshot { Lot = lot, System = ReconciliationSystems.Erp, Unit = orchestratorLot.Unit });
                    outcome.Problems.Add(new ReconciliationProblem { Lot = lot, System = ReconciliationSystems.Erp, Message = "The ERP does not know the lot; its stock counts as zero." });
                }
            }
            catch (AdapterQueryException ex)
            {
                outcome.Problems.Add(new ReconciliationProblem { Lot = lot, System = ReconciliationSystems.Erp, Message = ex.Message });
            }
        }

        if (_options.CompareWms && adapters.Supports(QueryKinds.WmsGetStock, site))
        {
            try
            {
                if (await adapters.QueryAsync(new GetWmsStockQuery(lot), site, ct).ConfigureAwait(false) is { } wmsStock)
                {
                    views.Add(wmsStock.ToSnapshot() with { System = ReconciliationSystems.Wms });
                }
            }
            catch (AdapterQueryException ex)
            {
                outcome.Problems.Add(new ReconciliationProblem { Lot = lot, System = ReconciliationSystems.Wms, Message = ex.Message });
            }
        }

        if (views.Count < 2)
        {
            return outcome;
        }

        var reference = views[0];
        var compared = new List<LotStockSnapshot> { reference };
        foreach (var view in views.Skip(1))
        {
            if (view.Unit != reference.Unit)
            {
                outcome.Problems.Add(new ReconciliationProblem { Lot = lot, System = view.System, Message = $"The {view.System} keeps the lot in {view.Unit}; the {reference.System} in {reference.Unit}. Not compared." });
                continue;
            }

            compared.Add(view);
        }

        if (compared.Count < 2)
        {
            return outcome;
        }

        var parked = state?.IsParked ?? false;
        var slots = compared.SelectMany(v => v.Buckets).Select(b => (b.Category, b.Ownership)).Distinct().OrderBy(s => s.Category).ThenBy(s => s.Ownership).ToArray();
        foreach (var (category, ownership) in slots)
        {
            var quantities = new Dictionary<string, Quantity>(StringComparer.Ordinal);
            foreach (var view in compared)
            {
                quantities[view.System] = view.QuantityIn(category, ownership);
            }

            var expected = quantities[reference.System].Value;
            var disagreeing = compared.Skip(1).Where(v => Math.Abs(quantities[v.System].Value - expected) > _options.Tolerance).Select(v => v.System).ToArray();
            if (disagreeing.Length == 0)
            {
                continue;
            }

            outcome.Findings.Add(new DriftFinding
            {
                Lot = lot,
                Site = orchestratorLot?.Site,
                Material = orchestratorLot?.Material,
                Category = category,
                Ownership = ownership,
                Quantities = quantities,
                ReferenceSystem = reference.System,
                DisagreeingSystems = disagreeing,
                Parked = parked,
                DetectedAt = now,
            });
        }

        if (outcome.Findings.Count > 0 && _options.RaiseAlerts && !parked)
        {
            await RaiseAlertAsync(lot, orchestratorLot, runId, now, outcome, ct).ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task RaiseAlertAsync(LotId lot, MaterialLot? orchestratorLot, string runId, DateTimeOffset now, LotOutcome outcome, CancellationToken ct)
    {
        SiteId? site = orchestratorLot?.Site;
        MaterialId? material = orchestratorLot?.Material;
        if (site is null && _orchestrator.Adapters.Supports(QueryKinds.ErpGetLot, null))
        {
            try
            {
                var erpLot = await _orchestrator.Adapters.QueryAsync(new GetLotQuery(lot), null, ct).ConfigureAwait(false);
                site = erpLot?.Site;
                material = erpLot?.Material;
            }
            catch (AdapterQueryException ex)
            {
                outcome.Problems.Add(new ReconciliationProblem { Lot = lot, System = ReconciliationSystems.Erp, Message = "The lot's site could not be read for the alert: " + ex.Message });
            }
        }

        if (site is not { } alertSite)
        {
            outcome.Problems.Add(new ReconciliationProblem { Lot = lot, Message = "No system names the lot's site; no alert was raised." });
            return;
        }

        if (_orchestrator.Workflows.ForEventType(EventTypes.StockDriftDetected).Count == 0)
        {
            outcome.Problems.Add(new ReconciliationProblem { Lot = lot, Message = "No workflow handles " + EventTypes.StockDriftDetected + " (register DriftCorrectionWorkflow); no alert was raised." });
            return;
        }

        for (var i = 0; i < outcome.Findings.Count; i++)
        {
            outcome.Findings[i] = new DriftFinding
            {
                Lot = lot,
                Site = alertSite,
                Material = material,
                Category = outcome.Findings[i].Category,
                Ownership = outcome.Findings[i].Ownership,
                Quantities = outcome.Findings[i].Quantities,
                ReferenceSystem = outcome.Findings[i].ReferenceSystem,
                DisagreeingSystems = outcome.Findings[i].DisagreeingSystems,
                Parked = outcome.Findings[i].Parked,
                DetectedAt = outcome.Findings[i].DetectedAt,
            };
        }

        var payload = new StockDriftDetected
        {
            Lot = lot,
            Site = alertSite,
            Material = material,
            DetectedAt = now,
            ReferenceSystem = outcome.Findings[0].ReferenceSystem,
            OrchestratorVersion = orchestratorLot?.Version,
            Lines = outcome.Findings.Select(f => new StockDriftLine
            {
                Category = f.Category,
                Ownership = f.Ownership,
                Quantities = f.Quantities.Select(q => new SystemStockQuantity { System = q.Key, Quantity = q.Value }).ToArray(),
                DisagreeingSystems = f.DisagreeingSystems,
            }).ToArray(),
        };
        var envelope = new EventEnvelope
        {
            Id = AlertId(lot, outcome.Findings),
            Source = _options.EventSource,
            Type = EventTypes.StockDriftDetected,
            Site = alertSite,
            Time = now,
            CorrelationId = runId,
            Data = payload,
        };
        try
        {
            var result = await _orchestrator.PublishAsync(envelope, ct).ConfigureAwait(false);
            outcome.Alert = result.Status;
            if (result.Status == PublishStatus.Rejected)
            {
                outcome.Problems.Add(new ReconciliationProblem { Lot = lot, Message = "The drift alert was rejected: " + string.Join("; ", result.Errors.Select(e => $"{e.Path} {e.ReasonCode.Code} {e.Message}")) });
            }
        }
        catch (InvalidOperationException ex)
        {
            outcome.Problems.Add(new ReconciliationProblem { Lot = lot, Message = "No alert was raised: " + ex.Message });
        }
    }

    /// <summary>A stable id for one drift: the lot and every system's quantity per category and ownership.</summary>
    internal static string AlertId(LotId lot, IReadOnlyList<DriftFinding> findings)
    {
        var text = new StringBuilder(lot.Value);
        foreach (var finding in findings.OrderBy(f => f.Category).ThenBy(f => f.Ownership))
        {
            text.Append('|').Append(finding.Category).Append('/').Append(finding.Ownership);
            foreach (var (system, quantity) in finding.Quantities.OrderBy(q => q.Key, StringComparer.Ordinal))
            {
                text.Append(';').Append(system).Append('=').Append(quantity.Value.ToString(CultureInfo.InvariantCulture)).Append(quantity.Unit);
            }
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return "drift-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private sealed class LotOutcome
    {
        public bool Skipped { get; set; }

        public List<DriftFinding> Findings { get; } = [];

        public List<ReconciliationProblem> Problems { get; } = [];

        public PublishStatus? Alert { get; set; }
    }
}
