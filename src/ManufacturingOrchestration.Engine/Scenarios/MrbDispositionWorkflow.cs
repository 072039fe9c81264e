using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Engine.Scenarios;

/// <summary>
/// Scenario 1b: the MRB decided the disposition of a quarantined lot (<see cref="MrbDispositionDecided"/>). The
/// disposition is first checked by the nonconformance machine against the NCR read from the QMS (it must be approved;
/// use-as-is needs a justification and an authorizer) — a refused disposition is audited and nothing is executed.
/// Then, line by line as the rules decide: use-as-is releases blocked stock (SAP 343); rework or repair marks the lot
/// reworked, moves it blocked → QI (349) and creates a re-inspection lot in the QMS; return to supplier releases the
/// quantity from blocked (343, the only way out of blocked stock besides scrap) and returns it (122), with a notice to
/// the supplier; scrap posts 555 from blocked. Each executed line is recorded on the NCR in the QMS, and when every line
/// was carried out the NCR is set to disposition-executed. At a regulated site the rules' policy turns use-as-is and
/// scrap into approvals, which are recorded and executed by nobody until a person approves.
/// </summary>
public static class MrbDispositionWorkflow
{
    /// <summary>The workflow name.</summary>
    public const string Name = "mrb-disposition";

    private const string SiteFact = "site";
    private const string NonconformanceFact = "nonconformance";
    private const string ExecutedFact = "executed-lines";

    /// <summary>Builds the workflow.</summary>
    /// <param name="services">The rules, sites and lot policy.</param>
    /// <returns>The definition (version 1).</returns>
    public static WorkflowDefinition Create(ScenarioServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new WorkflowBuilder(Name, 1)
            .Describe("MRB disposition → NCR check → use-as-is, rework with re-inspection, return to supplier or scrap across ERP, QMS and procurement.")
            .TriggeredBy(EventTypes.MrbDispositionDecided)
            .Step("enrich", WorkflowStepKind.Enrich, (ctx, ct) => EnrichAsync(services, ctx, ct))
            .Step("decide", WorkflowStepKind.Decide, ctx => Decide(services, ctx))
            .Step("check-disposition", WorkflowStepKind.Transition, CheckDisposition)
            .OnDecision<UseLotAsIs>("use-as-is", (d, ctx) => UseAsIs(services, d, ctx))
            .OnDecision<ReworkLot>("rework", (d, ctx) => Rework(services, d, ctx))
            .OnDecision<ReturnToSupplier>("return-to-supplier", (d, ctx) => Return(services, d, ctx))
            .OnDecision<ScrapLot>("scrap", (d, ctx) => Scrap(services, d, ctx))
            .OnDecision<Escalate>("escalate", ScenarioCommands.Escalate)
            .OnDecision<RequireApproval>("require-approval", ScenarioCommands.RecordApprovalRequired)
            .Step("close-disposition", WorkflowStepKind.Plan, CloseDisposition)
            .Build();
    }

    private static async ValueTask EnrichAsync(ScenarioServices services, StepContext ctx, CancellationToken ct)
    {
        var decided = Decided(ctx);
        ctx.SetFact(SiteFact, services.Sites.Get(decided.Site));
        if (ctx.Adapters.Qms is { } qms && await qms.GetNonconformanceAsync(decided.Nonconformance, ct).ConfigureAwait(false) is { } ncr)
        {
            ctx.SetFact(NonconformanceFact, ncr);
        }
    }

    private static void Decide(ScenarioServices services, StepContext ctx)
    {
        var decisions = services.Rules.Decide(new FactSet
        {
            Envelope = ctx.Event,
            Lot = ctx.State.Lot,
            Site = ctx.GetFact<SiteProfile>(SiteFact),
        });
        ctx.AddDecisions(decisions.Decisions, decisions.Describe());
    }

    /// <summary>The NCR machine decides whether the disposition may be recorded at all.</summary>
    private static void CheckDisposition(StepContext ctx)
    {
        var decided = Decided(ctx);
        if (ctx.State.Lot is null)
        {
            ctx.Reject(ReasonCodes.LotUnknown, $"Lot {decided.Lot} is not known to the ERP.", "unknown", []);
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

        var ncr = ctx.GetFact<Nonconformance>(NonconformanceFact);
        if (ncr is null)
        {
            if (ctx.Adapters.Qms is not null)
            {
                ctx.Reject(ReasonCodes.ReferenceUnknown, $"Nonconformance {decided.Nonconformance} is not known to the QMS.", "unknown", []);
                return;
            }

            // Without a QMS the event is the only record: check the lines against an approved NCR.
            ncr = new Nonconformance { Id = decided.Nonconformance, Problem = "MRB disposition", Site = decided.Site, Lots = [decided.Lot], Status = NonconformanceStatus.Approved };
        }

        var site = ctx.GetFact<SiteProfile>(SiteFact)!;
        var approvals = decided.Lines.Where(l => l.Signature is not null).Select(l => l.Signature!).ToArray();
        var result = NonconformanceMachine.Fire(ncr, NonconformanceTrigger.Disposition, new NonconformanceTriggerArgs { Lines = decided.Lines, Approvals = approvals }, site);
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

    private static void UseAsIs(ScenarioServices services, UseLotAsIs decision, StepContext ctx)
    {
        var lot = ctx.State.Lot!;
        var before = lot.QuantityIn(StockCategory.Blocked);
        var result = LotStockMachine.ReleaseFromBlocked(lot, decision.Quantity, services.LotPolicy, ScenarioFacts.Today(ctx));
        if (!ScenarioFacts.Accept(ctx, result, out var released))
        {
            return;
        }

        var target = released.QuantityIn(StockCategory.RestrictedUse) > lot.QuantityIn(StockCategory.RestrictedUse)
            ? StockCategory.RestrictedUse
            : StockCategory.Unrestricted;
        ctx.State = ctx.State with { Lot = released };
        ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest
        {
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = before.Subtract(released.QuantityIn(StockCategory.Blocked)),
            FromCategory = StockCategory.Blocked,
            ToCategory = target,
            ReasonCode = "mrb.use-as-is",
        },
        compensation: c => new ChangeStockCategoryRequest
        {
            // Compensable towards safety only: back to blocked stock.
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = before.Subtract(released.QuantityIn(StockCategory.Blocked)),
            FromCategory = target,
            ToCategory = StockCategory.Blocked,
            ReasonCode = "mrb.use-as-is-compensated",
        });
        RecordLine(ctx, MrbDisposition.UseAsIs, decision.Lot, decision.Quantity, executed: true);
    }

    private static void Rework(ScenarioServices services, ReworkLot decision, StepContext ctx)
    {
        var lot = LotStockMachine.MarkReworked(ctx.State.Lot!);
        var movement = new GoodsMovement
        {
            Kind = MovementKind.CategoryTransfer,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.Blocked,
            ToCategory = StockCategory.QualityInspection,
            ReasonCode = "mrb.rework",
        };
        var result = LotStockMachine.Apply(lot, movement, services.LotPolicy, ScenarioFacts.Today(ctx));
        if (!ScenarioFacts.Accept(ctx, result, out var reworked))
        {
            return;
        }

        ctx.State = ctx.State with { Lot = reworked };
        ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest
        {
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.Blocked,
            ToCategory = StockCategory.QualityInspection,
            ReasonCode = decision.IsRepair ? "mrb.repair" : "mrb.rework",
        },
        compensation: c => new ChangeStockCategoryRequest
        {
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.QualityInspection,
            ToCategory = StockCategory.Blocked,
            ReasonCode = "mrb.rework-compensated",
        });
        ctx.Plan(CommandKinds.QmsCreateInspectionLot, c => new CreateInspectionLotRequest
        {
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Origin = InspectionOrigin.Reinspection,
            Quantity = decision.Quantity,
        });
        RecordLine(ctx, decision.IsRepair ? MrbDisposition.Repair : MrbDisposition.Rework, decision.Lot, decision.Quantity, executed: false);
    }

    private static void Return(ScenarioServices services, ReturnToSupplier decision, StepContext ctx)
    {
        var lot = ctx.State.Lot!;
        var today = ScenarioFacts.Today(ctx);

        // From blocked stock only a sample, scrap or count difference may leave the lot: release the quantity (343)
        // and return it from unrestricted stock (122) in the same commit, executed back to back in this order.
        var release = LotStockMachine.ReleaseFromBlocked(lot, decision.Quantity, services.LotPolicy, today);
        if (!ScenarioFacts.Accept(ctx, release, out var released))
        {
            return;
        }

        var movement = new GoodsMovement
        {
            Kind = MovementKind.ReturnToSupplier,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.Unrestricted,
            ReasonCode = "mrb.return-to-supplier",
        };
        var result = LotStockMachine.Apply(released, movement, services.LotPolicy, today);
        if (!ScenarioFacts.Accept(ctx, result, out var returned))
        {
            return;
        }

        ctx.State = ctx.State with { Lot = returned };
        ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest
        {
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.Blocked,
            ToCategory = StockCategory.Unrestricted,
            ReasonCode = "mrb.return-to-supplier",
        },
        compensation: c => new ChangeStockCategoryRequest
        {
            // If the return cannot be posted, the quantity goes back to blocked stock.
            Context = c,
            Lot = lot.Id,
            Material = lot.Material,
            Site = lot.Site,
            Quantity = decision.Quantity,
            FromCategory = StockCategory.Unrestricted,
            ToCategory = StockCategory.Blocked,
            ReasonCode = "mrb.return-compensated",
        });
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

        RecordLine(ctx, MrbDisposition.ReturnToSupplier, decision.Lot, decision.Quantity, executed: true);
    }

    private static void Scrap(ScenarioServices services, ScrapLot decision, StepContext ctx)
    {
        var lot = ctx.State.Lot!;
        var result = LotStockMachine.Scrap(lot, decision.FromCategory, decision.Quantity, services.LotPolicy, ScenarioFacts.Today(ctx));
        if (!ScenarioFacts.Accept(ctx, result, out var scrapped))
        {
            return;
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
                ReasonCode = "mrb.scrap",
            },
        });
        RecordLine(ctx, MrbDisposition.Scrap, decision.Lot, decision.Quantity, executed: true);
    }

    /// <summary>Records the event's line on the NCR in the QMS and counts it.</summary>
    private static void RecordLine(StepContext ctx, MrbDisposition disposition, LotId lot, Quantity quantity, bool executed)
    {
        var decided = Decided(ctx);
        var line = decided.Lines.FirstOrDefault(l => l.Disposition == disposition && l.Lot == lot && l.Quantity == quantity)
            ?? new MrbDispositionLine { Disposition = disposition, Lot = lot, Quantity = quantity };
        ctx.Plan(CommandKinds.QmsRecordDisposition, c => new RecordDispositionRequest { Context = c, Nonconformance = decided.Nonconformance, Line = line });
        if (executed)
        {
            ctx.SetFact(ExecutedFact, ctx.GetFact<int>(ExecutedFact) + 1);
        }
    }

    /// <summary>When every line was carried out now (none waits for an approval, a rework or a person), the NCR's disposition is executed.</summary>
    private static void CloseDisposition(StepContext ctx)
    {
        var decided = Decided(ctx);
        if (ctx.GetFact<int>(ExecutedFact) != decided.Lines.Count)
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
