using System.Globalization;
using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 3: cycle-count discrepancy. Within tolerance (per ABC class, percentage and absolute) and within the
/// counter's own authority (item quantity and percentage, and document limit; a counter acting as cycle-count supervisor
/// is bound by their own limits instead of the band): the ERP count adjustment is posted directly with the right movement
/// semantics (a count difference in the counted category) and picks are never paused, since nothing stays open. Beyond
/// any limit: affected
/// picks are paused in the WMS only while a cycle-count supervisor's answer is pending (never the counter's:
/// segregation of duties); an approval posts the adjustment and resumes picks, a refusal resumes picks without posting
/// (the book quantity stands) and asks the warehouse lead for a recount, which arrives as a new count. Controlled
/// materials over tolerance also open a root-cause investigation.
/// <para>
/// A newer count of the same item (lot, location, bin and stock category) replaces the open count, as a recount
/// replaces the open count document: an approval still waiting for the earlier count is withdrawn
/// (<see cref="ReasonCodes.CountSuperseded"/>), so its difference is never posted and a late answer to it changes
/// nothing; picks stay paused only while some count of the lot still waits for an answer. A count without a lot is
/// rejected (<see cref="ReasonCodes.CountLotRequired"/>) when the rules would act on it, because the ERP count
/// adjustment and the WMS pick commands address a lot.
/// </para>
/// </summary>
public static class CycleCountWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "cycle-count";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules, sites, tolerances and count authorities.</param>
    /// <returns>The definition (version 2).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 2)
            .Describe("Cycle count recorded → reject without a lot; post within tolerance and the counter's authority; otherwise pause picks until a supervisor approves (post, resume) or refuses (resume, recount); a newer count of the same item withdraws the earlier count's approval.")
            .TriggeredBy(EventTypes.CycleCountRecorded)
            .Requires(CommandKinds.ErpPostCountAdjustment, CommandKinds.WmsPausePicks, CommandKinds.WmsResumePicks, CommandKinds.NotificationSend, CommandKinds.QmsOpenNonconformance)
            .UsesIfAvailable(QueryKinds.ErpGetMaterial)
            .Step("enrich", WorkflowStepKind.Enrich, async (ctx, ct) =>
            {
                var count = ((CycleCountRecorded)ctx.Event.Data).Count;
                if (await services.GetMaterialAsync(ctx, count.Material, ct).ConfigureAwait(false) is { } material)
                {
                    ctx.SetFact(ScenarioFactKeys.Material, material);
                }
            })
            .Step("decide", WorkflowStepKind.Decide, ctx =>
            {
                var count = ((CycleCountRecorded)ctx.Event.Data).Count;
                if (ScenarioFacts.SiteOrReject(services, ctx, count.Site) is not { } site || !ScenarioFacts.LotAtEventSite(ctx, count.Site))
                {
                    return;
                }

                var decisions = services.Rules.Decide(new FactSet
                {
                    Envelope = ctx.Event,
                    Lot = ctx.State.Lot,
                    Material = ctx.GetFact(ScenarioFactKeys.Material),
                    Site = site,
                    CountTolerances = services.CountTolerances,
                    CountAuthority = services.CountAuthorities(count.CountedBy, count.Site),
                });
                ctx.AddDecisions(decisions.Decisions, decisions.Describe());
            })
            .Step("require-lot", WorkflowStepKind.Custom, ctx =>
            {
                var count = ((CycleCountRecorded)ctx.Event.Data).Count;
                if (count.Lot is null && ctx.Decisions.Count > 0)
                {
                    // Until the adapter contracts carry lot-less counts, refusing is better than deciding and dropping it.
                    ctx.Reject(ReasonCodes.CountLotRequired, $"Count {count.Id} of {count.Material} at {count.Site} has no lot: the ERP count adjustment and the WMS pick commands address a lot, so it cannot be posted or paused; post it in the ERP directly.", "no lot", []);
                }
            })
            .OnDecision<PausePicks>("pause-picks", (d, ctx) =>
            {
                if (!AwaitsApproval(ctx, d.CycleCount))
                {
                    // Only an answer to the approval resumes picks: a pause without one would never be lifted.
                    ctx.Audit("pause-picks-not-held", $"Count {d.CycleCount} needs no approval, so picks of {d.Material} at {d.Site} are not paused.");
                    return;
                }

                if (d.Lot is { } lot)
                {
                    ctx.Plan(CommandKinds.WmsPausePicks, c => new PausePicksRequest { Context = c, Lot = lot, Site = d.Site });
                }
            })
            .OnDecision<PostCountAdjustment>("post-adjustment", (d, ctx) =>
            {
                if (PostAdjustment(services, Adjustment.From(d), null, ctx) is { } refused)
                {
                    ctx.Reject(refused.ReasonCode, refused.Message, refused.CurrentState, refused.PermittedTriggers);
                }
            })
            .OnDecision<RequireApproval>("request-approval", (d, ctx) => RequestApproval(d, ctx))
            .OnDecision<OpenRootCauseAnalysis>("open-root-cause-analysis", (d, ctx) => ctx.Plan(CommandKinds.QmsOpenNonconformance, c => new OpenNonconformanceRequest
            {
                Context = c,
                Type = NonconformanceType.Internal,
                Problem = $"Root-cause analysis: {d.Subject} — {d.Reason}",
                Site = d.Site,
                Material = d.Material,
                Lots = d.Lot is { } lot ? [lot] : [],
            }))
            .Step("supersede-earlier-count", WorkflowStepKind.Approve, SupersedeEarlierCounts)
            .OnApproved("post-approved-adjustment", (outcome, ctx) =>
            {
                var adjustment = Adjustment.Read(outcome.Payload);
                if (PostAdjustment(services, adjustment, outcome.DecisiveSignature.Signer, ctx) is { } refused)
                {
                    // The lot moved on while the count waited (the difference no longer fits its stock): the count is
                    // stale, so nothing is posted; picks resume all the same and a recount settles it.
                    ctx.Audit("count-adjustment-not-posted", $"{refused.ReasonCode.Code}: {refused.Message}", outcome.DecisiveSignature.Signer.Value);
                    AskForRecount(adjustment, ctx, $"The approved adjustment of {adjustment.Variance} {adjustment.UnitCode} no longer fits the lot's stock ({refused.ReasonCode.Code}) and was not posted.");
                }

                ResumePicksUnlessAnotherCountWaits(adjustment, ctx);
            })
            .OnRefused("request-recount", (outcome, ctx) =>
            {
                var adjustment = Adjustment.Read(outcome.Payload);
                AskForRecount(adjustment, ctx, $"{outcome.DecisiveSignature.Signer} refused the adjustment of {adjustment.Variance} {adjustment.UnitCode}: {outcome.DecisiveSignature.Reason}.");
                ResumePicksUnlessAnotherCountWaits(adjustment, ctx);
            })
            .Build();
    }

    private static bool AwaitsApproval(StepContext ctx, CycleCountId count)
    {
        foreach (var decision in ctx.Decisions)
        {
            if (decision is RequireApproval { GatedAction: PostCountAdjustment gated } && gated.CycleCount == count)
            {
                return true;
            }
        }

        return false;
    }

    private static void RequestApproval(RequireApproval approval, StepContext ctx)
    {
        if (approval.GatedAction is not PostCountAdjustment gated)
        {
            ScenarioCommands.RecordApprovalRequired(approval, ctx);
            return;
        }

        var count = ((CycleCountRecorded)ctx.Event.Data).Count;
        var requestId = ctx.RequestApproval(new ApprovalRequest
        {
            Role = approval.Role,
            Site = approval.Site ?? gated.Site,
            Gate = nameof(PostCountAdjustment),
            Subject = gated.Describe(),
            ReasonCode = approval.Reason,
            Requester = count.CountedBy,
            Payload = (Adjustment.From(gated) with { Location = count.Location, Bin = count.Bin }).Write(),
        });
        ctx.SetFact(ScenarioFactKeys.ApprovalRequest, requestId);
    }

    /// <summary>
    /// A newer count of the same item replaces the open one: every approval still waiting for an earlier count of this
    /// lot, location, bin and category is withdrawn, so its difference is never posted. Runs last, so a rejected count
    /// supersedes nothing. The newer count decides the picks: paused while its own approval (or another item's) waits,
    /// resumed otherwise.
    /// </summary>
    private static void SupersedeEarlierCounts(StepContext ctx)
    {
        var count = ((CycleCountRecorded)ctx.Event.Data).Count;
        if (count.Lot is not { } lot)
        {
            return;
        }

        var ownRequest = ctx.GetFact(ScenarioFactKeys.ApprovalRequest);
        Adjustment? superseded = null;
        foreach (var pending in ctx.PendingApprovals)
        {
            if (!string.Equals(pending.Gate, nameof(PostCountAdjustment), StringComparison.Ordinal) || string.Equals(pending.RequestId, ownRequest, StringComparison.Ordinal))
            {
                continue;
            }

            var earlier = Adjustment.Read(pending.Payload);
            if (earlier.Lot != lot || earlier.Category != count.Category || earlier.Location != count.Location || earlier.Bin != count.Bin)
            {
                continue;
            }

            var reason = string.Create(CultureInfo.InvariantCulture, $"count {count.Id} by {count.CountedBy} ({count.Variance:+0.###;-0.###;0} {count.BookQuantity.Unit.Code}) replaced count {earlier.Count} of lot {lot}; its difference of {earlier.Variance:+0.###;-0.###;0} {earlier.UnitCode} is never posted");
            if (ctx.WithdrawApproval(pending.RequestId, ReasonCodes.CountSuperseded, reason))
            {
                superseded ??= earlier;
            }
        }

        if (superseded is not null)
        {
            ResumePicksUnlessAnotherCountWaits(superseded, ctx);
        }
    }

    /// <summary>Picks of a lot are paused while any count of it waits for an answer; the last answer (or supersession) resumes them.</summary>
    private static void ResumePicksUnlessAnotherCountWaits(Adjustment adjustment, StepContext ctx)
    {
        foreach (var pending in ctx.PendingApprovals)
        {
            if (string.Equals(pending.Gate, nameof(PostCountAdjustment), StringComparison.Ordinal))
            {
                ctx.Audit("picks-stay-paused", $"Picks of lot {adjustment.Lot} stay paused: {pending.Subject} still waits for {pending.Role} (request {pending.RequestId}).");
                return;
            }
        }

        if (adjustment.Lot is { } lot)
        {
            ctx.Plan(CommandKinds.WmsResumePicks, c => new ResumePicksRequest { Context = c, Lot = lot, Site = adjustment.Site });
        }
    }

    private static void AskForRecount(Adjustment adjustment, StepContext ctx, string why) =>
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.WarehouseLead],
            Site = adjustment.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"Count {adjustment.Count} not posted: recount {adjustment.Material}",
            Body = $"{why} The book quantity stands and picks resume; record the recount as a new count.",
            Lot = adjustment.Lot,
        });

    /// <summary>
    /// Applies the count difference to the lot and plans its ERP posting. Returns the lot machine's refusal, if any,
    /// with nothing planned; the caller decides whether that rejects the event.
    /// </summary>
    private static TransitionRejection? PostAdjustment(ScenarioServices services, Adjustment adjustment, ActorId? approvedBy, StepContext ctx)
    {
        if (adjustment.Variance == 0 || adjustment.Lot is not { } lotId)
        {
            return null;
        }

        var difference = new Quantity(Math.Abs(adjustment.Variance), new UnitOfMeasure(adjustment.UnitCode, adjustment.UnitCodeSystem));
        if (ctx.State.Lot is { } lot)
        {
            var movement = new GoodsMovement
            {
                Kind = MovementKind.CountDifference,
                Lot = lotId,
                Material = adjustment.Material,
                Site = adjustment.Site,
                Quantity = difference,
                FromCategory = adjustment.Variance < 0 ? adjustment.Category : null,
                ToCategory = adjustment.Variance > 0 ? adjustment.Category : null,
                IsIncrease = adjustment.Variance > 0,
                ReasonCode = MovementReasons.CycleCount,
            };
            var result = LotStockMachine.Apply(lot, movement, services.LotPolicy, ScenarioFacts.Today(services, ctx, adjustment.Site));
            if (result.Rejection is { } rejection)
            {
                return rejection;
            }

            ctx.State = ctx.State with { Lot = result.Value };
        }

        ctx.Plan(CommandKinds.ErpPostCountAdjustment, c => new PostCountAdjustmentRequest
        {
            Context = c,
            Count = adjustment.Count,
            Lot = lotId,
            Material = adjustment.Material,
            Site = adjustment.Site,
            Category = adjustment.Category,
            Difference = difference,
            IsIncrease = adjustment.Variance > 0,
            ApprovedBy = approvedBy,
        });
        return null;
    }

    /// <summary>The adjustment an approval gates, kept with the pending request.</summary>
    internal sealed record Adjustment
    {
        public required CycleCountId Count { get; init; }

        public required MaterialId Material { get; init; }

        public required SiteId Site { get; init; }

        public LotId? Lot { get; init; }

        public StockCategory Category { get; init; }

        public StorageLocationId? Location { get; init; }

        public BinId? Bin { get; init; }

        public required decimal Variance { get; init; }

        public required string UnitCode { get; init; }

        public string? UnitCodeSystem { get; init; }

        public static Adjustment From(PostCountAdjustment d) => new()
        {
            Count = d.CycleCount,
            Material = d.Material,
            Site = d.Site,
            Lot = d.Lot,
            Category = d.Category,
            Variance = d.Variance,
            UnitCode = d.Unit.Code,
            UnitCodeSystem = d.Unit.CodeSystem,
        };

        public static Adjustment Read(string? json) =>
            JsonSerializer.Deserialize(json ?? "null", ScenarioJsonContext.Default.Adjustment) ?? throw new JsonException("The approval carries no count adjustment.");

        public string Write() => JsonSerializer.Serialize(this, ScenarioJsonContext.Default.Adjustment);
    }
}
