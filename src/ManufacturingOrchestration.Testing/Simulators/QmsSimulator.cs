using System.Collections.Concurrent;
using System.Collections.Immutable;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// A stateful in-memory QMS: inspection lots, nonconformances through MRB, supplier cases with evidence, certificates of
/// analysis on file per lot, and supplier quality history. Every change to a nonconformance goes through <see cref="NonconformanceMachine"/>: status updates fire
/// the trigger that leads to the requested status (<see cref="NonconformanceMachine.MoveTo"/>), corrections and
/// dispositions fire <see cref="NonconformanceTrigger.Correct"/> and <see cref="NonconformanceTrigger.Disposition"/>, so
/// the simulator refuses exactly what the machine refuses, with the machine's reason code (no review skipped, a refused
/// NC can be reopened, use-as-is lines the concession rule refuses). Each supplier case it opens is also a
/// <see cref="CorrectiveAction"/> of the same id, in the first stage of its kind (a SCAR starts
/// <see cref="CorrectiveActionStage.Issued"/>), changed only through <see cref="CorrectiveActionMachine"/>
/// (<see cref="FireCorrectiveAction"/>, <see cref="MoveCorrectiveAction"/>). Thread-safe.
/// </summary>
public sealed class QmsSimulator : AdapterSimulator,
    ICommandHandler<CreateInspectionLotRequest>,
    ICommandHandler<OpenNonconformanceRequest>,
    ICommandHandler<UpdateNonconformanceStatusRequest>,
    ICommandHandler<RecordCorrectionRequest>,
    ICommandHandler<RecordDispositionRequest>,
    ICommandHandler<OpenSupplierCaseRequest>,
    IQueryHandler<GetInspectionLotQuery, InspectionLot?>,
    IQueryHandler<GetNonconformanceQuery, Nonconformance?>,
    IQueryHandler<GetSupplierQualityHistoryQuery, SupplierQualityHistory?>,
    IQueryHandler<GetCertificatesOfAnalysisQuery, IReadOnlyList<CertificateOfAnalysis>>
{
    private readonly ConcurrentDictionary<InspectionLotId, InspectionLot> _inspectionLots = new();
    private readonly ConcurrentDictionary<NonconformanceId, NcState> _nonconformances = new();
    private readonly ConcurrentDictionary<string, SupplierCase> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<CorrectiveActionId, CorrectiveAction> _correctiveActions = new();
    private readonly ConcurrentDictionary<SupplierId, SupplierQualityHistory> _histories = new();
    private readonly ConcurrentDictionary<SiteId, SiteProfile> _sites = new();
    private readonly ConcurrentDictionary<LotId, ImmutableArray<CertificateOfAnalysis>> _certificates = new();
    private readonly Lock _gate = new();
    private readonly Func<CreateInspectionLotRequest, CommandPlan> _createInspectionLot;
    private readonly Func<OpenNonconformanceRequest, CommandPlan> _openNc;
    private readonly Func<UpdateNonconformanceStatusRequest, CommandPlan> _updateStatus;
    private readonly Func<RecordCorrectionRequest, CommandPlan> _correction;
    private readonly Func<RecordDispositionRequest, CommandPlan> _disposition;
    private readonly Func<OpenSupplierCaseRequest, CommandPlan> _openCase;

    /// <summary>Creates an empty QMS.</summary>
    /// <param name="options">The clock, faults and effects log; defaults when <see langword="null"/>.</param>
    public QmsSimulator(SimulatorOptions? options = null)
        : base(CommandKinds.QmsSystem, options)
    {
        _createInspectionLot = PlanInspectionLot;
        _openNc = PlanOpenNonconformance;
        _updateStatus = PlanUpdateStatus;
        _correction = PlanCorrection;
        _disposition = PlanDisposition;
        _openCase = PlanSupplierCase;
    }

    /// <summary>Adds or replaces an inspection lot.</summary>
    /// <param name="inspectionLot">The inspection lot.</param>
    /// <returns>This simulator.</returns>
    public QmsSimulator AddInspectionLot(InspectionLot inspectionLot)
    {
        ArgumentNullException.ThrowIfNull(inspectionLot);
        _inspectionLots[inspectionLot.Id] = inspectionLot;
        return this;
    }

    /// <summary>
    /// The role allowed to authorize a deviation (use-as-is) by its signature, as in the decision policy. Default
    /// <see cref="Role.QualityManager"/>.
    /// </summary>
    public Role DeviationApprover { get; set; } = Role.QualityManager;

    /// <summary>Adds or replaces a site profile, whose industry profile says who may authorize a use-as-is there.</summary>
    /// <param name="site">The profile.</param>
    /// <returns>This simulator.</returns>
    public QmsSimulator AddSite(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        _sites[site.Id] = site;
        return this;
    }

    /// <summary>Adds or replaces a nonconformance (any status).</summary>
    /// <param name="nonconformance">The nonconformance.</param>
    /// <returns>This simulator.</returns>
    public QmsSimulator AddNonconformance(Nonconformance nonconformance)
    {
        ArgumentNullException.ThrowIfNull(nonconformance);
        _nonconformances[nonconformance.Id] = new NcState(nonconformance);
        return this;
    }

    /// <summary>Adds or replaces a supplier's quality history.</summary>
    /// <param name="history">The history.</param>
    /// <returns>This simulator.</returns>
    public QmsSimulator AddSupplierHistory(SupplierQualityHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        _histories[history.Supplier] = history;
        return this;
    }

    /// <summary>Files a certificate of analysis for its lot, beside any the lot already has (the same certificate twice is kept once).</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>This simulator.</returns>
    public QmsSimulator AddCertificateOfAnalysis(CertificateOfAnalysis certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _certificates.AddOrUpdate(
            certificate.Lot,
            static (_, added) => [added],
            static (_, existing, added) => existing.Contains(added) ? existing : existing.Add(added),
            certificate);
        return this;
    }

    /// <summary>The current state of a nonconformance, or <see langword="null"/> when unknown.</summary>
    /// <param name="nonconformance">The nonconformance.</param>
    /// <returns>The nonconformance.</returns>
    public Nonconformance? GetNonconformance(NonconformanceId nonconformance)
    {
        lock (_gate)
        {
            return _nonconformances.TryGetValue(nonconformance, out var state) ? state.Current : null;
        }
    }

    /// <summary>The corrections recorded on a nonconformance.</summary>
    /// <param name="nonconformance">The nonconformance.</param>
    /// <returns>The corrections, in order.</returns>
    public IReadOnlyList<string> CorrectionsOf(NonconformanceId nonconformance)
    {
        lock (_gate)
        {
            return _nonconformances.TryGetValue(nonconformance, out var state) ? [.. state.Corrections] : [];
        }
    }

    /// <summary>Every nonconformance, in no particular order.</summary>
    public IReadOnlyList<Nonconformance> Nonconformances
    {
        get
        {
            lock (_gate)
            {
                return [.. _nonconformances.Values.Select(s => s.Current)];
            }
        }
    }

    /// <summary>Every supplier case opened, in no particular order.</summary>
    public IReadOnlyList<SupplierCase> SupplierCases => [.. _cases.Values];

    /// <summary>The corrective action of a supplier case (same id as <see cref="SupplierCase.Id"/>).</summary>
    /// <param name="correctiveAction">The id.</param>
    /// <returns>The corrective action as it is now, or <see langword="null"/> when unknown.</returns>
    public CorrectiveAction? GetCorrectiveAction(CorrectiveActionId correctiveAction) =>
        _correctiveActions.TryGetValue(correctiveAction, out var action) ? action : null;

    /// <summary>Every corrective action of the supplier cases opened, in no particular order.</summary>
    public IReadOnlyList<CorrectiveAction> CorrectiveActions => [.. _correctiveActions.Values];

    /// <summary>
    /// Fires a trigger on a corrective action through <see cref="CorrectiveActionMachine.Fire"/> (advance, add or close an
    /// activity, reopen) and keeps the result; refuses as the machine does, and an unknown id with <c>adapter.reference-unknown</c>.
    /// </summary>
    /// <param name="correctiveAction">The id.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="args">The arguments; <see cref="CorrectiveActionTriggerArgs.None"/> when the trigger needs none.</param>
    /// <returns>The new corrective action, or the machine's rejection.</returns>
    public TransitionResult<CorrectiveAction> FireCorrectiveAction(CorrectiveActionId correctiveAction, CorrectiveActionTrigger trigger, CorrectiveActionTriggerArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return ChangeCorrectiveAction(correctiveAction, trigger.ToString(), action => CorrectiveActionMachine.Fire(action, trigger, args));
    }

    /// <summary>
    /// Moves a corrective action to a requested stage through <see cref="CorrectiveActionMachine.MoveTo"/>: the next stage
    /// advances under the machine's rules, an earlier one is refused with <c>capa.stage-backward</c>.
    /// </summary>
    /// <param name="correctiveAction">The id.</param>
    /// <param name="stage">The requested stage.</param>
    /// <returns>The new corrective action, or the machine's rejection.</returns>
    public TransitionResult<CorrectiveAction> MoveCorrectiveAction(CorrectiveActionId correctiveAction, CorrectiveActionStage stage) =>
        ChangeCorrectiveAction(correctiveAction, nameof(CorrectiveActionTrigger.Advance), action => CorrectiveActionMachine.MoveTo(action, stage));

    /// <summary>Every inspection lot, in no particular order.</summary>
    public IReadOnlyList<InspectionLot> InspectionLots => [.. _inspectionLots.Values];

    /// <inheritdoc />
    public ValueTask<AdapterResult> CreateInspectionLotAsync(CreateInspectionLotRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, _gate, _createInspectionLot, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> OpenNonconformanceAsync(OpenNonconformanceRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, _gate, _openNc, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> UpdateNonconformanceStatusAsync(UpdateNonconformanceStatusRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, _gate, _updateStatus, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> RecordCorrectionAsync(RecordCorrectionRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, _gate, _correction, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> RecordDispositionAsync(RecordDispositionRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, _gate, _disposition, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> OpenSupplierCaseAsync(OpenSupplierCaseRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, _gate, _openCase, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<InspectionLot?> GetInspectionLotAsync(InspectionLotId inspectionLot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.QmsGetInspectionLot, cancellationToken).ConfigureAwait(false);
        return _inspectionLots.GetValueOrDefault(inspectionLot);
    }

    /// <inheritdoc />
    public async ValueTask<Nonconformance?> GetNonconformanceAsync(NonconformanceId nonconformance, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.QmsGetNonconformance, cancellationToken).ConfigureAwait(false);
        return GetNonconformance(nonconformance);
    }

    /// <inheritdoc />
    public async ValueTask<SupplierQualityHistory?> GetSupplierQualityHistoryAsync(SupplierId supplier, DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.QmsGetSupplierQualityHistory, cancellationToken).ConfigureAwait(false);
        return _histories.TryGetValue(supplier, out var history) ? history with { WindowStart = windowStart, WindowEnd = windowEnd } : null;
    }

    /// <summary>The certificates of analysis on file for a lot (<see cref="QueryKinds.QmsGetCertificatesOfAnalysis"/>), in the order they were filed.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The certificates; empty when the lot has none.</returns>
    public async ValueTask<IReadOnlyList<CertificateOfAnalysis>> GetCertificatesOfAnalysisAsync(LotId lot, CancellationToken cancellationToken = default)
    {
        await BeforeQueryAsync(QueryKinds.QmsGetCertificatesOfAnalysis, cancellationToken).ConfigureAwait(false);
        return _certificates.TryGetValue(lot, out var certificates) ? certificates : [];
    }

    private CommandPlan PlanInspectionLot(CreateInspectionLotRequest request)
    {
        var id = new InspectionLotId(NextReference("IL-"));
        var inspectionLot = new InspectionLot
        {
            Id = id,
            Lot = request.Lot,
            Material = request.Material,
            Site = request.Site,
            Origin = request.Origin,
            Quantity = request.Quantity,
            Status = InspectionLotStatus.Created,
        };
        return CommandPlan.Apply($"inspection lot {id} ({request.Origin})", () => _inspectionLots[id] = inspectionLot, lot: request.Lot.Value, externalReference: id.Value);
    }

    private CommandPlan PlanOpenNonconformance(OpenNonconformanceRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Problem))
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A nonconformance needs a problem description.");
        }

        var id = request.Id ?? new NonconformanceId(NextReference("NC-"));
        if (_nonconformances.ContainsKey(id))
        {
            return CommandPlan.Refuse(ReasonCodes.Duplicate, $"Nonconformance {id} already exists.");
        }

        var nonconformance = new Nonconformance
        {
            Id = id,
            Type = request.Type,
            Problem = request.Problem,
            Site = request.Site,
            Material = request.Material,
            Lots = [.. request.Lots],
            Quantity = request.Quantity,
            Severity = request.Severity,
            Supplier = request.Supplier,
            Status = NonconformanceStatus.New,
            Evidence = [.. request.Evidence],
        };
        return CommandPlan.Apply(
            $"nonconformance {id} opened ({request.Severity}, {request.Evidence.Count} evidence item(s))",
            () => _nonconformances[id] = new NcState(nonconformance),
            lot: request.Lots.Count > 0 ? request.Lots[0].Value : null,
            externalReference: id.Value);
    }

    private CommandPlan PlanUpdateStatus(UpdateNonconformanceStatusRequest request)
    {
        if (!_nonconformances.TryGetValue(request.Nonconformance, out var state))
        {
            return UnknownNc(request.Nonconformance);
        }

        var from = state.Current.Status;
        var to = request.Status;
        if (from == to)
        {
            return CommandPlan.Apply($"nonconformance {request.Nonconformance} already {to}", commit: null, lot: FirstLot(state));
        }

        // The NCR lifecycle is the nonconformance machine's: the trigger that leads to the requested status is fired there.
        var result = NonconformanceMachine.MoveTo(state.Current, to, SiteOf(state));
        if (result.Rejection is { } rejection)
        {
            return CommandPlan.Refuse(rejection.ReasonCode, $"Nonconformance {request.Nonconformance} cannot go from {from} to {to}: {rejection.Message}");
        }

        var next = result.Value!;
        return CommandPlan.Apply($"nonconformance {request.Nonconformance} {from}→{to}", () => state.Current = next, lot: FirstLot(state));
    }

    private CommandPlan PlanCorrection(RecordCorrectionRequest request)
    {
        if (!_nonconformances.TryGetValue(request.Nonconformance, out var state))
        {
            return UnknownNc(request.Nonconformance);
        }

        var result = NonconformanceMachine.Fire(state.Current, NonconformanceTrigger.Correct, NonconformanceTriggerArgs.None, SiteOf(state));
        if (result.Rejection is { } rejection)
        {
            return CommandPlan.Refuse(rejection.ReasonCode, $"Nonconformance {request.Nonconformance} is {state.Current.Status}: corrections are only allowed once it is approved ({rejection.Message}).");
        }

        if (string.IsNullOrWhiteSpace(request.Description))
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A correction needs a description.");
        }

        return CommandPlan.Apply($"correction on {request.Nonconformance}: {request.Description}", () => state.Corrections.Add(request.Description), lot: FirstLot(state));
    }

    private CommandPlan PlanDisposition(RecordDispositionRequest request)
    {
        if (!_nonconformances.TryGetValue(request.Nonconformance, out var state))
        {
            return UnknownNc(request.Nonconformance);
        }

        var line = request.Line;
        if (line is null)
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "The disposition line is missing.");
        }

        // The nonconformance machine decides: an approved (or already dispositioned) NC, and its concession rules
        // (ConcessionAuthority, the design authority at an aerospace site).
        var args = new NonconformanceTriggerArgs { Lines = [line], DeviationApprover = DeviationApprover };
        var result = NonconformanceMachine.Fire(state.Current, NonconformanceTrigger.Disposition, args, SiteOf(state));
        if (result.Rejection is { } rejection)
        {
            return CommandPlan.Refuse(rejection.ReasonCode, $"{line.Disposition} of {line.Quantity} of lot {line.Lot} on {request.Nonconformance} is refused: {rejection.ReasonCode.Description} ({rejection.Message})");
        }

        var next = result.Value!;
        return CommandPlan.Apply(
            $"disposition {line.Disposition} of {line.Quantity} of lot {line.Lot} on {request.Nonconformance}",
            () => state.Current = next,
            lot: line.Lot.Value);
    }

    private CommandPlan PlanSupplierCase(OpenSupplierCaseRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Problem))
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A supplier case needs a problem description.");
        }

        var id = NextReference(request.CaseKind == CorrectiveActionKind.Scar ? "SCAR-" : "CA-");
        var supplierCase = new SupplierCase
        {
            Id = id,
            Kind = request.CaseKind,
            Supplier = request.Supplier,
            Problem = request.Problem,
            Lots = [.. request.Lots],
            Nonconformances = [.. request.Nonconformances],
            Severity = request.Severity,
            Evidence = [.. request.Evidence],
            OpenedAt = TimeProvider.GetUtcNow(),
        };
        var correctiveAction = new CorrectiveAction
        {
            Id = new CorrectiveActionId(id),
            Kind = request.CaseKind,
            Stage = CorrectiveActionStages.First(request.CaseKind),
            Problem = request.Problem,
            Supplier = request.Supplier,
            Nonconformances = [.. request.Nonconformances],
            Lots = [.. request.Lots],
        };
        return CommandPlan.Apply(
            $"{request.CaseKind} {id} opened against {request.Supplier} with {request.Evidence.Count} evidence item(s)",
            () =>
            {
                _cases[id] = supplierCase;
                _correctiveActions[correctiveAction.Id] = correctiveAction;
                if (_histories.TryGetValue(request.Supplier, out var history))
                {
                    _histories[request.Supplier] = history with { Escalations = history.Escalations + 1, OpenCorrectiveActions = history.OpenCorrectiveActions + 1 };
                }
            },
            lot: request.Lots.Count > 0 ? request.Lots[0].Value : null,
            externalReference: id);
    }

    private TransitionResult<CorrectiveAction> ChangeCorrectiveAction(CorrectiveActionId id, string trigger, Func<CorrectiveAction, TransitionResult<CorrectiveAction>> change)
    {
        lock (_gate)
        {
            if (!_correctiveActions.TryGetValue(id, out var action))
            {
                return TransitionResult<CorrectiveAction>.Rejected(new TransitionRejection(ReasonCodes.ReferenceUnknown, $"Corrective action {id} is not known to the QMS.", "Unknown", trigger, []));
            }

            var result = change(action);
            if (result.Value is { } next)
            {
                _correctiveActions[id] = next;
            }

            return result;
        }
    }

    private SiteProfile SiteOf(NcState state) => _sites.TryGetValue(state.Current.Site, out var profile) ? profile : new SiteProfile { Id = state.Current.Site };

    private static string? FirstLot(NcState state) => state.Current.Lots.Count > 0 ? state.Current.Lots[0].Value : null;

    private static CommandPlan UnknownNc(NonconformanceId id) => CommandPlan.Refuse(ReasonCodes.ReferenceUnknown, $"Nonconformance {id} is not known to the QMS.");

    private sealed class NcState(Nonconformance nonconformance)
    {
        public Nonconformance Current { get; set; } = nonconformance;

        public List<string> Corrections { get; } = [];
    }

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<CreateInspectionLotRequest>.ExecuteAsync(CreateInspectionLotRequest command, CancellationToken cancellationToken) => CreateInspectionLotAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<OpenNonconformanceRequest>.ExecuteAsync(OpenNonconformanceRequest command, CancellationToken cancellationToken) => OpenNonconformanceAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<UpdateNonconformanceStatusRequest>.ExecuteAsync(UpdateNonconformanceStatusRequest command, CancellationToken cancellationToken) => UpdateNonconformanceStatusAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<RecordCorrectionRequest>.ExecuteAsync(RecordCorrectionRequest command, CancellationToken cancellationToken) => RecordCorrectionAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<RecordDispositionRequest>.ExecuteAsync(RecordDispositionRequest command, CancellationToken cancellationToken) => RecordDispositionAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<OpenSupplierCaseRequest>.ExecuteAsync(OpenSupplierCaseRequest command, CancellationToken cancellationToken) => OpenSupplierCaseAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<InspectionLot?> IQueryHandler<GetInspectionLotQuery, InspectionLot?>.QueryAsync(GetInspectionLotQuery query, CancellationToken cancellationToken) => GetInspectionLotAsync(query.InspectionLot, cancellationToken);

    /// <inheritdoc />
    ValueTask<Nonconformance?> IQueryHandler<GetNonconformanceQuery, Nonconformance?>.QueryAsync(GetNonconformanceQuery query, CancellationToken cancellationToken) => GetNonconformanceAsync(query.Nonconformance, cancellationToken);

    /// <inheritdoc />
    ValueTask<SupplierQualityHistory?> IQueryHandler<GetSupplierQualityHistoryQuery, SupplierQualityHistory?>.QueryAsync(GetSupplierQualityHistoryQuery query, CancellationToken cancellationToken) => GetSupplierQualityHistoryAsync(query.Supplier, query.WindowStart, query.WindowEnd, cancellationToken);

    /// <inheritdoc />
    ValueTask<IReadOnlyList<CertificateOfAnalysis>> IQueryHandler<GetCertificatesOfAnalysisQuery, IReadOnlyList<CertificateOfAnalysis>>.QueryAsync(GetCertificatesOfAnalysisQuery query, CancellationToken cancellationToken) => GetCertificatesOfAnalysisAsync(query.Lot, cancellationToken);
}

/// <summary>A supplier case (SCAR or other corrective action) opened in the QMS.</summary>
public sealed record SupplierCase
{
    /// <summary>The case id; also the id of its <see cref="CorrectiveAction"/> (<see cref="QmsSimulator.GetCorrectiveAction"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The kind of corrective action.</summary>
    public required CorrectiveActionKind Kind { get; init; }

    /// <summary>The supplier.</summary>
    public required SupplierId Supplier { get; init; }

    /// <summary>The problem.</summary>
    public required string Problem { get; init; }

    /// <summary>The lots concerned.</summary>
    public IReadOnlyList<LotId> Lots { get; init; } = [];

    /// <summary>The nonconformances that led to it.</summary>
    public IReadOnlyList<NonconformanceId> Nonconformances { get; init; } = [];

    /// <summary>The severity.</summary>
    public DefectSeverity Severity { get; init; }

    /// <summary>The evidence attached.</summary>
    public IReadOnlyList<EvidenceReference> Evidence { get; init; } = [];

    /// <summary>When it was opened.</summary>
    public required DateTimeOffset OpenedAt { get; init; }
}
