using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios.Reconciliation;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Reacts to a <see cref="StockDriftDetected"/> alert from <see cref="DriftReconciler"/>: notifies the warehouse lead
/// and the planner at the lot's site through the outbox (durable, one notification per distinct drift), and — only
/// when <see cref="DriftCorrectionOptions.CorrectErpStockCategory"/> says so — moves the ERP's stock between categories
/// to match the orchestrator's authoritative quality state.
/// </summary>
/// <remarks>
/// A correction is planned only when it is safe: the orchestrator's lot is unchanged since the drift was detected
/// (same version), the ERP disagrees only in how the same total is split across categories of one ownership (a
/// quantity difference needs a count, not a category change), and every transfer is one the lot state machine
/// permits. Otherwise the workflow only alerts, and audits why it did not correct.
/// <para>
/// A correction towards a more restrictive category (unrestricted → QI or blocked, QI → blocked…) proceeds and is audited.
/// A correction towards a less restrictive one (blocked → QI or unrestricted, QI → unrestricted, restricted-use →
/// unrestricted…; order in <see cref="StockCategoryRestrictions"/>) would release stock that a person may have blocked in
/// the ERP on purpose: it is a release like any other, governed by the decision policy
/// (<see cref="DecisionEngine.Govern"/>, <see cref="CorrectStockCategory"/>), so it waits for an approval by the release
/// approver at the site and is planned only when that approval is given and the orchestrator's lot is still the version
/// the drift was found on; a refusal leaves the ERP as it is and tells the notified roles.
/// </para>
/// </remarks>
public static class DriftCorrectionWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "stock-drift-correction";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules (whose policy governs a correction that releases stock) and the sites.</param>
    /// <param name="options">The options; defaults (alert only) when <see langword="null"/>.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services, DriftCorrectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var settings = options ?? new DriftCorrectionOptions();
        settings.Validate();
        return new WorkflowBuilder(Name, 1)
            .Describe("Stock drift found by reconciliation → business alert to the warehouse lead and planner; optional ERP stock-category correction.")
            .TriggeredBy(EventTypes.StockDriftDetected)
            .Requires(CommandKinds.ErpChangeStockCategory, CommandKinds.NotificationSend)
            .Step("notify", WorkflowStepKind.Notify, ctx => Notify(settings, ctx))
            .Step("correct", WorkflowStepKind.Plan, ctx => Correct(services, settings, ctx))
            .OnApproved("correction-approved", CorrectionApproved)
            .OnRefused("correction-refused", (outcome, ctx) => CorrectionRefused(settings, outcome, ctx))
            .Build();
    }

    private static void Notify(DriftCorrectionOptions options, StepContext ctx)
    {
        if (ctx.Event.Data is not StockDriftDetected drift)
        {
            return;
        }

        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = options.NotifyRoles,
            Site = drift.Site,
            Severity = options.Severity,
            Subject = $"Stock drift on lot {drift.Lot}",
            Body = Describe(drift),
            ReasonCode = ReasonCodes.StockDrift,
            Lot = drift.Lot,
        });
    }

    private static void Correct(ScenarioServices services, DriftCorrectionOptions options, StepContext ctx)
    {
        if (!options.CorrectErpStockCategory || ctx.Event.Data is not StockDriftDetected drift)
        {
            return;
        }

        if (ctx.State.Lot is not { } lot || drift.ReferenceSystem != ReconciliationSystems.Orchestrator)
        {
            ctx.Audit("drift-correction-skipped", "The orchestrator does not know the lot: there is no authoritative state to correct the ERP to.");
            return;
        }

        if (drift.OrchestratorVersion != lot.Version)
        {
            ctx.Audit("drift-correction-skipped", string.Create(CultureInfo.InvariantCulture, $"The lot changed since the drift was detected (version {drift.OrchestratorVersion} then, {lot.Version} now); the next reconciliation decides again."));
            return;
        }

        var transfers = new List<(StockOwnership Ownership, StockCategory From, StockCategory To, decimal Quantity)>();
        foreach (var group in drift.Lines.GroupBy(l => l.Ownership))
        {
            var surplus = new List<(StockCategory Category, decimal Quantity)>();
            var deficit = new List<(StockCategory Category, decimal Quantity)>();
            foreach (var line in group)
            {
                var erp = line.Quantities.FirstOrDefault(q => q.System == ReconciliationSystems.Erp);
                if (erp is null || !line.DisagreeingSystems.Contains(ReconciliationSystems.Erp))
                {
                    continue;
                }

                var delta = lot.QuantityIn(line.Category, group.Key).Value - erp.Quantity.Value;
                if (delta < 0)
                {
                    surplus.Add((line.Category, -delta));
                }
                else if (delta > 0)
                {
                    deficit.Add((line.Category, delta));
                }
            }

            if (surplus.Sum(s => s.Quantity) != deficit.Sum(d => d.Quantity))
            {
                ctx.Audit("drift-correction-skipped", $"The ERP's {group.Key} total differs from the orchestrator's: a count is needed, not a category change.");
                return;
            }

            Pair(group.Key, surplus, deficit, transfers);
        }

        if (transfers.Count == 0)
        {
            return;
        }

        var erpLot = lot with { Buckets = ErpBuckets(lot, drift) };
        var today = ScenarioFacts.Today(services, ctx, lot.Site);
        foreach (var (ownership, from, to, quantity) in transfers)
        {
            var simulated = LotStockMachine.Apply(erpLot, new GoodsMovement
            {
                Kind = MovementKind.CategoryTransfer,
                Lot = lot.Id,
                Material = lot.Material,
                Site = lot.Site,
                Quantity = new Quantity(quantity, lot.Unit),
                FromCategory = from,
                ToCategory = to,
                FromOwnership = ownership,
                ToOwnership = ownership,
            }, options.LotPolicy, today);
            if (simulated.Rejection is { } rejection)
            {
                ctx.Audit("drift-correction-skipped", $"Moving {quantity} {lot.Unit} from {from} to {to} in the ERP is not permitted ({rejection.ReasonCode.Code}); only alerted.");
                return;
            }

            erpLot = simulated.Value!;
        }

        if (!services.Sites.TryGet(lot.Site, out var site))
        {
            ctx.Audit("drift-correction-skipped", $"Site {lot.Site} has no profile, so nobody can tell who may approve a correction there; only alerted.");
            return;
        }

        // Every correction goes through the decision policy: one that releases stock comes back gated.
        var proposed = transfers.Select(t => new CorrectStockCategory
        {
            Lot = lot.Id,
            Site = lot.Site,
            Quantity = new Quantity(t.Quantity, lot.Unit),
            FromCategory = t.From,
            ToCategory = t.To,
            Ownership = t.Ownership,
        });
        var governed = services.Rules.Govern(proposed, new FactSet { Envelope = ctx.Event, Lot = lot, Site = site });
        var now = governed.Decisions.OfType<CorrectStockCategory>().ToArray();
        var gated = governed.Decisions.OfType<RequireApproval>().Where(a => a.GatedAction is CorrectStockCategory).ToArray();
        if (now.Length > 0)
        {
            PlanCorrections(ctx, lot, now);
            ctx.Audit("drift-correction-planned", Describe(lot, now));
        }

        if (gated.Length == 0)
        {
            return;
        }

        var held = gated.Select(a => (CorrectStockCategory)a.GatedAction).ToArray();
        var approval = gated[0];
        ctx.RequestApproval(new ApprovalRequest
        {
            Role = approval.Role,
            Site = approval.Site ?? lot.Site,
            Gate = nameof(CorrectStockCategory),
            Subject = $"Release stock of lot {lot.Id} in the ERP to match the orchestrator: {Describe(lot, held)}",
            ReasonCode = approval.Reason,
            Payload = new GatedCorrection
            {
                Lot = lot.Id,
                Version = lot.Version,
                Transfers = held.Select(c => new GatedTransfer { Ownership = c.Ownership, From = c.FromCategory, To = c.ToCategory, Quantity = c.Quantity }).ToArray(),
            }.Write(),
        });
        ctx.Audit("drift-correction-awaiting-approval", $"{Describe(lot, held)} would make stock more usable in the ERP: it waits for an approval by {approval.Role} ({approval.Reason.Code}).");
    }

    private static void PlanCorrections(StepContext ctx, MaterialLot lot, IReadOnlyList<CorrectStockCategory> corrections)
    {
        foreach (var correction in corrections)
        {
            ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest
            {
                Context = c,
                Lot = lot.Id,
                Material = lot.Material,
                Site = lot.Site,
                Quantity = correction.Quantity,
                FromCategory = correction.FromCategory,
                ToCategory = correction.ToCategory,
                Ownership = correction.Ownership,
                ReasonCode = ReasonCodes.StockDrift,
            });
        }
    }

    private static string Describe(MaterialLot lot, IEnumerable<CorrectStockCategory> corrections) =>
        string.Join("; ", corrections.Select(c => $"{c.Quantity.Value} {lot.Unit} {c.Ownership} {c.FromCategory} → {c.ToCategory}"));

    /// <summary>The release approver signed: plan the held corrections, unless the lot changed since the drift was found.</summary>
    private static void CorrectionApproved(ApprovalOutcome outcome, StepContext ctx)
    {
        var gated = GatedCorrection.Read(outcome.Payload);
        var signature = outcome.DecisiveSignature;
        if (ctx.State.Lot is not { } lot || lot.Version != gated.Version)
        {
            ctx.Audit("drift-correction-skipped", string.Create(CultureInfo.InvariantCulture, $"The correction of lot {gated.Lot} was approved by {signature.Signer}, but the lot changed since the drift was found (version {gated.Version} then, {ctx.State.Lot?.Version} now); the next reconciliation decides again."), signature.Signer.Value);
            return;
        }

        var corrections = gated.Transfers.Select(t => new CorrectStockCategory
        {
            Lot = lot.Id,
            Site = lot.Site,
            Quantity = t.Quantity,
            FromCategory = t.From,
            ToCategory = t.To,
            Ownership = t.Ownership,
        }).ToArray();
        PlanCorrections(ctx, lot, corrections);
        ctx.Audit("drift-correction-planned", $"{Describe(lot, corrections)}, approved by {signature.Signer} as {signature.Role}", signature.Signer.Value);
    }

    /// <summary>The release approver refused: the ERP keeps its categories and the notified roles are told.</summary>
    private static void CorrectionRefused(DriftCorrectionOptions options, ApprovalOutcome outcome, StepContext ctx)
    {
        var gated = GatedCorrection.Read(outcome.Payload);
        var signature = outcome.DecisiveSignature;
        ctx.Audit("drift-correction-refused", $"The correction of lot {gated.Lot} was refused by {signature.Signer} as {signature.Role}: {signature.Reason}. The ERP keeps its stock categories.", signature.Signer.Value);
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = options.NotifyRoles,
            Site = ctx.State.Lot?.Site ?? ctx.Event.Site ?? outcome.Request.Site,
            Severity = options.Severity,
            Subject = $"Stock drift on lot {gated.Lot}: correction refused",
            Body = $"{signature.Signer} ({signature.Role}) refused to release the ERP's stock of lot {gated.Lot} to match the orchestrator: {signature.Reason}. The ERP keeps its stock categories; resolve the difference by hand.",
            ReasonCode = ReasonCodes.StockDrift,
            Lot = gated.Lot,
        });
    }

    /// <summary>The corrections a release approver must approve, kept with the pending request.</summary>
    internal sealed record GatedCorrection
    {
        public required LotId Lot { get; init; }

        public long Version { get; init; }

        public IReadOnlyList<GatedTransfer> Transfers { get; init; } = [];

        public static GatedCorrection Read(string? json) =>
            System.Text.Json.JsonSerializer.Deserialize(json ?? "null", ScenarioJsonContext.Default.GatedCorrection) ?? throw new System.Text.Json.JsonException("The approval carries no stock correction.");

        public string Write() => System.Text.Json.JsonSerializer.Serialize(this, ScenarioJsonContext.Default.GatedCorrection);
    }

    /// <summary>One held transfer of a gated correction.</summary>
    internal sealed record GatedTransfer
    {
        public StockOwnership Ownership { get; init; }

        public StockCategory From { get; init; }

        public StockCategory To { get; init; }

        public required Quantity Quantity { get; init; }
    }

    private static void Pair(StockOwnership ownership, List<(StockCategory Category, decimal Quantity)> surplus, List<(StockCategory Category, decimal Quantity)> deficit, List<(StockOwnership, StockCategory, StockCategory, decimal)> transfers)
    {
        var s = 0;
        var d = 0;
        while (s < surplus.Count && d < deficit.Count)
        {
            var moved = Math.Min(surplus[s].Quantity, deficit[d].Quantity);
            transfers.Add((ownership, surplus[s].Category, deficit[d].Category, moved));
            surplus[s] = (surplus[s].Category, surplus[s].Quantity - moved);
            deficit[d] = (deficit[d].Category, deficit[d].Quantity - moved);
            if (surplus[s].Quantity == 0)
            {
                s++;
            }

            if (deficit[d].Quantity == 0)
            {
                d++;
            }
        }
    }

    /// <summary>The ERP's buckets as the drift reports them: the orchestrator's, with each drifting slot at the ERP's quantity.</summary>
    private static IReadOnlyList<StockBucket> ErpBuckets(MaterialLot lot, StockDriftDetected drift)
    {
        var totals = new Dictionary<(StockCategory, StockOwnership), decimal>();
        foreach (var bucket in lot.Buckets)
        {
            totals[(bucket.Category, bucket.Ownership)] = totals.GetValueOrDefault((bucket.Category, bucket.Ownership)) + bucket.Quantity.Value;
        }

        foreach (var line in drift.Lines)
        {
            if (line.Quantities.FirstOrDefault(q => q.System == ReconciliationSystems.Erp) is { } erp)
            {
                totals[(line.Category, line.Ownership)] = erp.Quantity.Value;
            }
        }

        return totals.Where(t => t.Value > 0)
            .Select(t => new StockBucket { Category = t.Key.Item1, Ownership = t.Key.Item2, Quantity = new Quantity(t.Value, lot.Unit) })
            .ToArray();
    }

    private static string Describe(StockDriftDetected drift)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Reconciliation on {drift.DetectedAt:O} found lot {drift.Lot}");
        if (drift.Material is { } material)
        {
            text.Append(CultureInfo.InvariantCulture, $" ({material})");
        }

        text.Append(CultureInfo.InvariantCulture, $" at {drift.Site} differing from the {drift.ReferenceSystem}:");
        foreach (var line in drift.Lines)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n- {line.Category} ({line.Ownership}): ");
            text.Append(string.Join(", ", line.Quantities.Select(q => $"{q.System} {q.Quantity}")));
            text.Append(CultureInfo.InvariantCulture, $"; disagreeing: {string.Join(", ", line.DisagreeingSystems)}");
        }

        return text.ToString();
    }
}

/// <summary>What <see cref="DriftCorrectionWorkflow"/> does with a drift. Defaults are documented per property.</summary>
public sealed class DriftCorrectionOptions
{
    /// <summary>The roles notified at the lot's site. Default: warehouse lead and planner.</summary>
    public IReadOnlyList<Role> NotifyRoles { get; init; } = [Role.WarehouseLead, Role.Planner];

    /// <summary>The notification severity. Default <see cref="NotificationSeverity.Alert"/>.</summary>
    public NotificationSeverity Severity { get; init; } = NotificationSeverity.Alert;

    /// <summary>
    /// Whether the ERP's stock categories are changed to match the orchestrator's authoritative quality state when the
    /// only difference is how the same total is split across categories. Default <see langword="false"/>: alert only.
    /// </summary>
    public bool CorrectErpStockCategory { get; init; }

    /// <summary>The lot policy used to check that a correcting transfer is permitted. Default <see cref="LotPolicy.Default"/>.</summary>
    public LotPolicy LotPolicy { get; init; } = LotPolicy.Default;

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentException">An option is not valid.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(NotifyRoles);
        ArgumentNullException.ThrowIfNull(LotPolicy);
        if (NotifyRoles.Count == 0)
        {
            throw new ArgumentException("At least one role must be notified of a drift.", nameof(NotifyRoles));
        }
    }
}
