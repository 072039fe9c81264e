using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using NRules.Fluent.Dsl;

namespace ManufacturingOrchestration.Engine.Tests.Workflows;

/// <summary>A plant's own decision: quarantine the lot and open a supplier case in one action.</summary>
public sealed class QuarantineWithSupplierCase : Decision
{
    public required LotId Lot { get; init; }

    public required SupplierId Supplier { get; init; }

    public override string Describe() => $"Quarantine {Lot} and open a case with {Supplier}";

    public override bool IsSameActionAs(Decision other) => other is QuarantineWithSupplierCase o && o.Lot == Lot;
}

/// <summary>A plant's own decision that makes stock usable, so the policy governs it like a release.</summary>
public sealed class ReleaseToLine : Decision
{
    public required LotId Lot { get; init; }

    public override GovernedAction Governance => GovernedAction.Release;

    public override string Describe() => $"Release {Lot} straight to the line";

    public override bool IsSameActionAs(Decision other) => other is ReleaseToLine o && o.Lot == Lot;
}

[Name("acme.quarantine-with-case")]
[Description("A failed lot from a known supplier is quarantined and the supplier gets a case.")]
public sealed class QuarantineWithCaseRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed, f => f.Supplier != null);
        Then().Do(ctx => ctx.Decide(new QuarantineWithSupplierCase { Lot = failed.Lot, Supplier = failed.Supplier!.Value }));
    }
}

[Name("acme.quarantine-with-case-again")]
public sealed class QuarantineWithCaseAgainRule : Rule
{
    public override void Define()
    {
        InspectionFailed failed = default!;
        When().Match(() => failed, f => f.Severity == DefectSeverity.Major);
        Then().Do(ctx => ctx.Decide(new QuarantineWithSupplierCase { Lot = failed.Lot, Supplier = failed.Supplier!.Value }));
    }
}

[Name("acme.release-to-line")]
public sealed class ReleaseToLineRule : Rule
{
    public override void Define()
    {
        InspectionPassed passed = default!;
        When().Match(() => passed);
        Then().Do(ctx => ctx.Decide(new ReleaseToLine { Lot = passed.Lot }));
    }
}

public sealed class UserDeclaredDecisionTests
{
    private static readonly Lazy<DecisionEngine> Rules = new(() => new DecisionEngineBuilder()
        .WithRuleSet("acme", "7")
        .AddRules(typeof(QuarantineWithCaseRule), typeof(QuarantineWithCaseAgainRule), typeof(ReleaseToLineRule))
        .Build());

    [Fact]
    public async Task UserDecision_ProducedByUserRule_HandledByUserStepExplainedAndAudited()
    {
        await using var host = await new EngineTestHost(workflows: [Workflow(regulated: false)]).StartAsync();
        host.AddLotInInspection("L-1", 100);

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-1", "e-1"));

        var sent = host.Plant.Notification.Sent.Select(s => s.Request.Subject).ToList();
        sent.Should().Equal("Quarantine L-1 and open a case with S-ACME");
        var audit = await host.Store.ReadAuditAsync("L-1", 1, EngineHostCt);
        var decided = audit.Should().Contain(r => r.Explanation != null).Subject;
        decided.Explanation.Should().StartWith("acme (acme@7): Quarantine L-1 and open a case with S-ACME" + "\n" + "  because rule 'acme.quarantine-with-case' (acme@7): A failed lot from a known supplier is quarantined and the supplier gets a case. matched ");
        decided.Explanation.Should().Contain("rule 'acme.quarantine-with-case-again' (acme@7)", "two rules asking for the same action are merged into one decision explained by both");
        (await host.Orchestrator.Audit.VerifyPartitionAsync("L-1", EngineHostCt)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task UserGovernedDecision_AtRegulatedSite_BecomesAnApprovalLikeABuiltInRelease()
    {
        await using var host = await new EngineTestHost(workflows: [Workflow(regulated: true)]).StartAsync();
        host.AddLotInInspection("L-2", 100);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-2", "e-2"));

        host.Plant.Notification.Sent.Select(s => s.Request.Subject).Should().Equal("approval needed: Release L-2 straight to the line");
    }

    [Fact]
    public void UserDecision_KindAndGovernance_DefaultToCustomAndNone()
    {
        var decision = new QuarantineWithSupplierCase { Lot = new LotId("L-3"), Supplier = new SupplierId("S-1") };

        decision.Kind.Should().Be(DecisionKind.Custom);
        decision.Governance.Should().Be(GovernedAction.None);
        new ReleaseToLine { Lot = new LotId("L-3") }.Governance.Should().Be(GovernedAction.Release);
        new ReleaseLot { Lot = new LotId("L-3"), Site = new SiteId("P1") }.Governance.Should().Be(GovernedAction.Release);
        new ScrapLot { Lot = new LotId("L-3"), Site = new SiteId("P1"), FromCategory = StockCategory.Blocked, Quantity = Quantity.Each(1) }.Governance.Should().Be(GovernedAction.Scrap);
    }

    private static CancellationToken EngineHostCt => EngineTestHost.Ct;

    private static WorkflowDefinition Workflow(bool regulated)
    {
        var site = new SiteProfile { Id = EngineTestHost.Site, HoldLocation = new BinId("HOLD-P1"), IsRegulated = regulated };
        return new WorkflowBuilder("acme-inspection", 1)
            .TriggeredBy(EventTypes.InspectionFailed, EventTypes.InspectionPassed)
            .Step("decide", WorkflowStepKind.Decide, ctx =>
            {
                var decisions = Rules.Value.Decide(new FactSet { Envelope = ctx.Event, Lot = ctx.State.Lot, Site = site });
                ctx.AddDecisions(decisions.Decisions, decisions.Describe());
            })
            .OnDecision<QuarantineWithSupplierCase>("quarantine-with-case", (d, ctx) => Notify(ctx, d.Describe()))
            .OnDecision<ReleaseToLine>("release-to-line", (d, ctx) => Notify(ctx, d.Describe()))
            .OnDecision<RequireApproval>("approval", (d, ctx) => Notify(ctx, "approval needed: " + d.GatedAction.Describe()))
            .Build();
    }

    private static void Notify(StepContext ctx, string subject) =>
        ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest { Context = c, Roles = [Role.QualityEngineer], Site = EngineTestHost.Site, Subject = subject });
}
