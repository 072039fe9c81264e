using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>
/// Scenario 1b: the MRB decided the disposition of a quarantined lot (<see cref="MrbDispositionDecided"/>). The
/// disposition is first checked by the nonconformance machine against the NCR read from the QMS (it must be approved;
/// use-as-is needs a justification and an authorizer) — a refused disposition is audited and nothing is executed.
/// Then, line by line as the rules decide: use-as-is releases blocked stock (SAP 343); rework or repair marks the lot
/// reworked, moves it blocked → QI (349) and creates a re-inspection lot in the QMS; return to supplier returns the
/// quantity straight from blocked stock (122 with the blocked stock type, never through unrestricted stock), with a
/// notice to the supplier; scrap posts 555 from blocked. Each executed line is recorded on the NCR in the QMS, and when every line
/// was carried out the NCR is set to disposition-executed.
/// <para>
/// Gated lines wait for people. At a regulated site the rules' policy turns use-as-is (quality manager) and scrap (MRB
/// member) into approvals, and in an aerospace profile use-as-is and repair also need the design authority: the
/// workflow asks for each approval of the rules' chain in turn (outermost first), each an electronic signature by the
/// role at the site, never by whoever recorded the MRB decision, with a documented justification for use-as-is and two
/// distinct signers where the engine's two-person rule or the site's <see cref="TwoPersonApprovalSwitch"/> asks for it.
/// Only when the last approval is given are the line's ERP, QMS and WMS commands planned (the line is recorded on the
/// NCR with the decisive signature); a refusal posts nothing, leaves the NCR open for another disposition and notifies
/// the MRB and the quality engineers. Overdue approvals escalate through the engine's approval SLA.
/// </para>
/// </summary>
public static class MrbDispositionWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "mrb-disposition";

    private const string RefusedMarker = "refused";

    /// <summary>
    /// The site policy switch (<see cref="SiteProfile.PolicySwitches"/>) that makes every approval of a gated MRB
    /// disposition at the site need two distinct signers.
    /// </summary>
    public const string TwoPersonApprovalSwitch = "mrb.two-person-approval";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules, sites and lot policy.</param>
    /// <returns>The definition (version 2: gated dispositions wait for signed approvals).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 2)
            .Describe("MRB disposition → NCR check → use-as-is, rework with re-inspection, return to supplier or scrap across ERP, QMS and procurement; gated lines wait for signed approvals.")
            .TriggeredBy(EventTypes.MrbDispositionDecided)
            .Requires(CommandKinds.ErpChangeStockCategory, CommandKinds.ErpPostGoodsMovement, CommandKinds.QmsCreateInspectionLot, CommandKinds.QmsRecordDisposition, CommandKinds.QmsUpdateNonconformanceStatus, CommandKinds.ProcurementNotifySupplier, CommandKinds.NotificationSend)
            .UsesIfAvailable(QueryKinds.QmsGetNonconformance)
            .Step("enrich", WorkflowStepKind.Enrich, (ctx, ct) => EnrichAsync(services, ctx, ct))
            .Step("decide", WorkflowStepKind.Decide, ctx => Decide(services, ctx))
            .Step("check-disposition", WorkflowStepKind.Transition, ctx => CheckDisposition(services, ctx))
            .OnDecision<UseLotAsIs>("use-as-is", (d, ctx) =>
            {
                if (UseAsIs(services, d, ctx))
                {
                    RecordEventLine(ctx, MrbDisposition.UseAsIs, d.Lot, d.Quantity, executed: true);
                }
            })
            .OnDecision<ReworkLot>("rework", (d, ctx) =>
            {
                if (Rework(services, d, ctx))
                {
                    RecordEventLine(ctx, d.IsRepair ? MrbDisposition.Repair : MrbDisposition.Rework, d.Lot, d.Quantity, executed: false);
                }
            })
            .OnDecision<ReturnToSupplier>("return-to-supplier", (d, ctx) => Return(services, d, ctx))
            .OnDecision<ScrapLot>("scrap", (d, ctx) =>
            {
                if (Scrap(services, d, ctx))
                {
                    RecordEventLine(ctx, MrbDisposition.Scrap, d.Lot, d.Quantity, executed: true);
                }
            })
            .OnDecision<Escalate>("escalate", ScenarioCommands.Escalate)
            .OnDecision<RequireApproval>("require-approval", (d, ctx) => RequestApproval(services, d, ctx))
            .Step("close-disposition", WorkflowStepKind.Plan, CloseDisposition)
            .OnApproved("disposition-approved", (outcome, ctx) => CarryOutApproved(services, outcome, ctx))
            .OnRefused("disposition-refused", DispositionRefused)
            .Build();
    }

    private static async ValueTask EnrichAsync(ScenarioServices services, StepContext ctx, CancellationToken ct)
    {
        var decided = Decided(ctx);
        if (ScenarioFacts.SiteOrReject(services, ctx, decided.Site) is not { } site)
        {
            return;
        }

        ctx.SetFact(ScenarioFactKeys.Site, site);

        // Who the MRB decision names as authorizing a use-as-is is a claim: the policy checks it against the directory.
        await ReleaseAuthority.ResolveAsync(
            services, ctx, decided.Lines.Where(l => l.Disposition == MrbDisposition.UseAsIs).Select(l => l.Authorizer ?? l.Signature?.Signer), ct).ConfigureAwait(false);
        if (ctx.Supports(QueryKinds.QmsGetNonconformance) && await ctx.QueryAsync(new GetNonconformanceQuery(decided.Nonconformance), ct).ConfigureAwait(false) is { } ncr)
        {
            ctx.SetFact(ScenarioFactKeys.Nonconformance, ncr);
        }
    }

    private static void Decide(ScenarioServices services, StepContext ctx)
    {
        var decisions = services.Rules.Decide(new FactSet
        {
            Envelope = ctx.Event,
            Lot = ctx.State.Lot,
            Site = ctx.GetFact(ScenarioFactKeys.Site),
            Actors = ReleaseAuthority.Claimants(ctx),
        });
        ctx.AddDecisions(decisions.Decisions, decisions.Describe());
    }

    /// <summary>The NCR machine decides whether the disposition may be recorded at all.</summary>
    private static void CheckDisposition(ScenarioServices services, StepContext ctx)
    {
        var decided = Decided(ctx);
        if (ctx.State.Lot is null)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {decided.Lot} is not known to the ERP.", "unknown", []);
            return;
        }

        if (!ScenarioFacts.LotAtEventSite(ctx, decided.Site))
        {
            return;
        }

        foreach (var line in decided.Lines)
        {
            if (line.Lot != decided.Lot)
            {
                ctx.Reject(ReasonCodes.OutOfRange, $"A disposition line names lot {line.Lot}; this event concerns lot {decided.Lot} (send one event per lot).", "disposition", []);
                return;
            }
        }

        var ncr = ctx.GetFact(ScenarioFactKeys.Nonconformance);
        if (ncr is null)
        {
            if (ctx.Supports(QueryKinds.QmsGetNonconformance))
            {
                ctx.Reject(ReasonCodes.ReferenceUnknown, $"Nonconformance {decided.Nonconformance} is not known to the QMS.", "unknown", []);
                return;
            }

            // Without a QMS the event is the only record: check the lines against an approved NCR.
            ncr = new Nonconformance { Id = decided.Nonconformance, Problem = "MRB disposition", Site = decided.Site, Lots = [decided.Lot], Status = NonconformanceStatus.Approved };
        }

        var site = ctx.GetFact(ScenarioFactKeys.Site)!;
        var approvals = decided.Lines.Where(l => l.Signature is not null).Select(l => l.Signature!).ToArray();
        var result = NonconformanceMachine.Fire(ncr, NonconformanceTrigger.Disposition, new NonconformanceTriggerArgs { Lines = decided.Lines, Approvals = approvals, DeviationApprover = services.Rules.Policy.DeviationApprover }, site);
        if (result.Rejection is { } rejection)
        {
            // The design authority's approval is what the rules' approval gate asks for: wait for it instead of refusing.
            var awaitingDesignAuthority = rejection.ReasonCode == ReasonCodes.DesignAuthorityRequired
                && ctx.Decisions.OfType<RequireApproval>().Any(a => a.RequiresRole(Role.DesignAuthority));
            if (!awaitingDesignAuthority)
            {
                ctx.Reject(rejection.ReasonCode, rejection.Message, rejection.CurrentState, rejection.PermittedTriggers);
            }
        }
    }

    private static bool UseAsIs(ScenarioServices services, UseLotAsIs decision, StepContext ctx)
    {
        if (!LotKnown(ctx, decision.Lot, out var lot))
        {
            return false;
        }

        var before = lot.QuantityIn(StockCategory.Blocked);
        var result = LotStockMachine.ReleaseFromBlocked(lot, decision.Quantity, services.LotPolicy, ScenarioFacts.Today(services, ctx, lot.Site));
        if (!ctx.Accept(result, out var released))
        {
            return false;
        }

        ctx.State = ctx.State with { Lot = released };

        // Compensable towards safety only: back to blocked stock.
        ScenarioCommands.PlanReversibleCategoryChange(
            ctx, lot, before.Subtract(released.QuantityIn(StockCategory.Blocked)), StockCategory.Blocked, ScenarioCommands.ReleaseTarget(lot, released),
            MovementReasons.UseAsIs, MovementReasons.UseAsIsCompensated);
        return true;
    }

    private static bool Rework(ScenarioServices services, ReworkLot decision, StepContext ctx)
    {
        if (!LotKnown(ctx, decision.Lot, out var current))
        {
            return false;
        }

        var lot = LotStockMachine.MarkReworked(current);
        var movement = new GoodsMovement
        {
            Kind = MovementKind.CategoryTransfer,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.Blocked,
            ToCategory = StockCategory.QualityInspection,
            ReasonCode = MovementReasons.Rework,
        };
        var result = LotStockMachine.Apply(lot, movement, services.LotPolicy, ScenarioFacts.Today(services, ctx, lot.Site));
        if (!ctx.Accept(result, out var reworked))
        {
            return false;
        }

        ctx.State = ctx.State with { Lot = reworked };
        ScenarioCommands.PlanReversibleCategoryChange(
            ctx, lot, decision.Quantity, StockCategory.Blocked, StockCategory.QualityInspection, decision.IsRepair ? MovementReasons.Repair : MovementReasons.Rework, MovementReasons.ReworkCompensated);
        ctx.Plan(CommandKinds.QmsCreateInspectionLot, c => new CreateInspectionLotRequest
        {
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Origin = InspectionOrigin.Reinspection,
            Quantity = decision.Quantity,
        });
        return true;
    }

    private static void Return(ScenarioServices services, ReturnToSupplier decision, StepContext ctx)
    {
        var lot = ctx.State.Lot!;
        var today = ScenarioFacts.Today(services, ctx, lot.Site);

        // The return leaves blocked stock directly (122 with the blocked stock type): the rejected quantity never passes
        // through unrestricted stock, where MRP could use it if the return failed. Expired and reworked lots stay
        // returnable, since nothing is released.
        var movement = new GoodsMovement
        {
            Kind = MovementKind.ReturnToSupplier,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.Blocked,
            ReasonCode = MovementReasons.ReturnToSupplier,
        };
        var result = LotStockMachine.Apply(lot, movement, services.LotPolicy, today);
        if (!ctx.Accept(result, out var returned))
        {
            return;
        }

        ctx.State = ctx.State with { Lot = returned };
        ctx.Plan(CommandKinds.ErpPostGoodsMovement, c => new PostGoodsMovementRequest { Context = c, Movement = movement });
        if ((decision.Supplier ?? lot.Supplier) is { } supplier)
        {
            ctx.Plan(CommandKinds.ProcurementNotifySupplier, c => new NotifySupplierRequest
            {
                Context = c,
                Supplier = supplier,
                Subject = $"Return of {decision.Quantity} of lot {lot.Id} (NCR {decision.Nonconformance})",
                Message = $"The material review board decided to return {decision.Quantity} of lot {lot.Id} ({lot.Material}) under nonconformance {decision.Nonconformance}.",
                Lot = lot.Id,
            });
        }
        else
        {
            ctx.Audit("supplier-unknown", $"Lot {lot.Id} names no supplier: the return of {decision.Quantity} is posted but no supplier notice is sent.");
        }

        RecordEventLine(ctx, MrbDisposition.ReturnToSupplier, decision.Lot, decision.Quantity, executed: true);
    }

    private static bool Scrap(ScenarioServices services, ScrapLot decision, StepContext ctx)
    {
        if (!LotKnown(ctx, decision.Lot, out var lot))
        {
            return false;
        }

        var result = LotStockMachine.Scrap(lot, decision.FromCategory, decision.Quantity, services.LotPolicy, ScenarioFacts.Today(services, ctx, lot.Site));
        if (!ctx.Accept(result, out var scrapped))
        {
            return false;
        }

        ctx.State = ctx.State with { Lot = scrapped };
        ctx.Plan(CommandKinds.ErpPostGoodsMovement, c => new PostGoodsMovementRequest
        {
            Context = c,
            Movement = new GoodsMovement
            {
                Kind = MovementKind.Scrap,
                Lot = lot.Id,
                Material = lot.Material,
                Site = lot.Site,
                Quantity = decision.Quantity,
                FromCategory = decision.FromCategory,
                ReasonCode = MovementReasons.Scrap,
            },
        });
        return true;
    }

    private static bool LotKnown(StepContext ctx, LotId id, out MaterialLot lot)
    {
        if (ctx.State.Lot is { } known)
        {
            lot = known;
            return true;
        }

        ctx.Reject(ReasonCodes.LotUnknown, $"Lot {id} is not known to the ERP.", "unknown", []);
        lot = null!;
        return false;
    }

    /// <summary>Records the event's line on the NCR in the QMS and counts it.</summary>
    private static void RecordEventLine(StepContext ctx, MrbDisposition disposition, LotId lot, Quantity quantity, bool executed)
    {
        var decided = Decided(ctx);
        var line = decided.Lines.FirstOrDefault(l => l.Disposition == disposition && l.Lot == lot && l.Quantity == quantity)
            ?? new MrbDispositionLine { Disposition = disposition, Lot = lot, Quantity = quantity };
        ctx.Plan(CommandKinds.QmsRecordDisposition, c => new RecordDispositionRequest { Context = c, Nonconformance = decided.Nonconformance, Line = line });
        if (executed)
        {
            ctx.SetFact(ScenarioFactKeys.ExecutedLines, ctx.GetFact(ScenarioFactKeys.ExecutedLines) + 1);
        }
    }

    /// <summary>
    /// A gated disposition: asks for the first approval of the rules' chain. Gated actions this workflow does not carry
    /// out itself are only audited.
    /// </summary>
    private static void RequestApproval(ScenarioServices services, RequireApproval approval, StepContext ctx)
    {
        var decided = Decided(ctx);
        var chain = ApprovalLink.ChainOf(approval, decided.Site);
        var gated = GatedDisposition.From(approval.GatedAction, decided, chain.Skip(1).ToArray(), ctx.EventKey.ToString());
        if (gated is null)
        {
            ScenarioCommands.RecordApprovalRequired(approval, ctx);
            return;
        }

        var executable = 0;
        foreach (var decision in ctx.Decisions)
        {
            if (decision is RequireApproval { GatedAction: UseLotAsIs or ScrapLot })
            {
                executable++;
            }
        }

        gated = gated with { GatedLines = Math.Max(1, executable), OthersExecuted = ctx.GetFact(ScenarioFactKeys.ExecutedLines) + executable == decided.Lines.Count };
        Ask(services, gated, chain[0], ctx);
    }

    private static void Ask(ScenarioServices services, GatedDisposition gated, ApprovalLink link, StepContext ctx) =>
        ctx.RequestApproval(new ApprovalRequest
        {
            Role = link.Role,
            Site = link.Site,
            Gate = gated.Gate,
            Subject = $"{gated.ToDecision().Describe()} on NCR {gated.Nonconformance}",
            ReasonCode = link.Reason,
            Requester = gated.DecidedBy,
            ExcludedSigners = gated.PriorSigners,
            MinimumSignatures = services.Sites.Get(gated.Site).IsSwitchOn(TwoPersonApprovalSwitch) ? 2 : 1,
            JustificationRequired = gated.Disposition == MrbDisposition.UseAsIs,
            Payload = gated.Write(),
        });

    /// <summary>
    /// An approval of a gated line was given: ask for the next approval of the chain, or carry the line out, record it
    /// on the NCR with the decisive signature and, when it was the event's last open line, set the NCR executed.
    /// </summary>
    private static void CarryOutApproved(ScenarioServices services, ApprovalOutcome outcome, StepContext ctx)
    {
        var gated = GatedDisposition.Read(outcome.Payload);
        var signature = outcome.DecisiveSignature;
        if (gated.Remaining.Count > 0)
        {
            // The next approver of the chain is someone else: whoever signed this approval may not sign the next.
            var signers = gated.PriorSigners.Concat(outcome.Request.Signatures.Select(s => s.Signer)).Distinct().ToArray();
            Ask(services, gated with { Remaining = gated.Remaining.Skip(1).ToArray(), PriorSigners = signers }, gated.Remaining[0], ctx);
            return;
        }

        var carriedOut = gated.ToDecision() switch
        {
            UseLotAsIs useAsIs => UseAsIs(services, useAsIs, ctx),
            ScrapLot scrap => Scrap(services, scrap, ctx),
            ReworkLot rework => Rework(services, rework, ctx),
            _ => false,
        };
        if (!carriedOut)
        {
            return;
        }

        var line = new MrbDispositionLine
        {
            Disposition = gated.Disposition,
            Lot = gated.Lot,
            Quantity = gated.Quantity,
            Justification = gated.Justification ?? signature.Justification,
            Authorizer = gated.Authorizer ?? signature.Signer,
            Signature = signature,
        };
        ctx.Plan(CommandKinds.QmsRecordDisposition, c => new RecordDispositionRequest { Context = c, Nonconformance = gated.Nonconformance, Line = line });
        if (gated.Disposition is MrbDisposition.Rework or MrbDisposition.Repair)
        {
            // Executed only after the re-inspection.
            return;
        }

        var key = gated.ExecutedCounterKey;
        var previous = ctx.State.Values.GetValueOrDefault(key);
        if (string.Equals(previous, RefusedMarker, StringComparison.Ordinal))
        {
            return;
        }

        var done = (previous is null ? 0 : int.Parse(previous, CultureInfo.InvariantCulture)) + 1;
        var values = new Dictionary<string, string>(ctx.State.Values, StringComparer.Ordinal);
        if (done < gated.GatedLines)
        {
            values[key] = done.ToString(CultureInfo.InvariantCulture);
            ctx.State = ctx.State with { Values = values };
            return;
        }

        if (values.Remove(key))
        {
            ctx.State = ctx.State with { Values = values };
        }

        if (gated.OthersExecuted)
        {
            ctx.Plan(CommandKinds.QmsUpdateNonconformanceStatus, c => new UpdateNonconformanceStatusRequest
            {
                Context = c,
                Nonconformance = gated.Nonconformance,
                Status = NonconformanceStatus.DispositionExecuted,
                DecidedBy = gated.DecidedBy,
                Reason = $"Every disposition line was carried out; the last after {signature.Signer}'s approval as {signature.Role}.",
            });
        }
    }

    /// <summary>A gated line was refused: nothing is posted, the NCR stays open for another disposition, and the MRB and quality engineers are told.</summary>
    private static void DispositionRefused(ApprovalOutcome outcome, StepContext ctx)
    {
        var gated = GatedDisposition.Read(outcome.Payload);
        var signature = outcome.DecisiveSignature;
        if (gated.GatedLines > 1)
        {
            // The event's disposition can no longer be executed in full: no later approval of a sibling line closes the NCR.
            ctx.State = ctx.State with { Values = new Dictionary<string, string>(ctx.State.Values, StringComparer.Ordinal) { [gated.ExecutedCounterKey] = RefusedMarker } };
        }

        var what = $"{gated.Disposition} of {gated.Quantity} of lot {gated.Lot} on NCR {gated.Nonconformance}";
        ctx.Audit("disposition-refused", $"{what} refused by {signature.Signer} as {signature.Role}: {signature.Reason}. Nothing is posted; the NCR stays open for another disposition.", signature.Signer.Value);
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
        {
            Context = c,
            Roles = [Role.MrbMember, Role.QualityEngineer],
            Site = gated.Site,
            Severity = NotificationSeverity.Alert,
            Subject = $"MRB disposition refused: {what}",
            Body = $"{signature.Signer} ({signature.Role}) refused: {signature.Reason}. Nothing was posted and the lot stays in {gated.FromCategory} stock; the MRB must decide another disposition for NCR {gated.Nonconformance}.",
            Lot = gated.Lot,
        });
    }

    /// <summary>When every line was carried out now (none waits for an approval, a rework or a person), the NCR's disposition is executed.</summary>
    private static void CloseDisposition(StepContext ctx)
    {
        var decided = Decided(ctx);
        if (ctx.GetFact(ScenarioFactKeys.ExecutedLines) != decided.Lines.Count)
        {
            return;
        }

        ctx.Plan(CommandKinds.QmsUpdateNonconformanceStatus, c => new UpdateNonconformanceStatusRequest
        {
            Context = c,
            Nonconformance = decided.Nonconformance,
            Status = NonconformanceStatus.DispositionExecuted,
            DecidedBy = decided.DecidedBy,
            Reason = "Every disposition line was carried out.",
        });
    }

    private static MrbDispositionDecided Decided(StepContext ctx) =>
        ctx.Event.Data as MrbDispositionDecided ?? throw new InvalidOperationException($"{Name} does not handle {ctx.Event.Type}.");
}
