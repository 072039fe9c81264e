using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Tests.Telemetry;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

public class CycleCountEndToEndTests
{
    private static readonly ActorId Counter = new("cnt-carl");
    private static readonly ActorId CountSupervisor = new("ccs-cleo");
    private static readonly ActorId Recounter = new("ccs-dora");
    private static readonly MaterialId Screws = new("SCR-M3");
    private static readonly MaterialId Gold = new("AU-WIRE");

    [Fact]
    public async Task CountWithinTolerance_PostsTheAdjustmentDirectly()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC1", Screws, 100);

        await host.PublishAndWaitAsync(Counted("L-CC1", Screws, book: 100, counted: 98, "cc-1"));

        host.Plant.Erp.QuantityIn(new LotId("L-CC1"), StockCategory.Unrestricted).Should().Be(98);
        host.Plant.Wms.ArePicksPaused(new LotId("L-CC1")).Should().BeFalse();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-CC1", EngineTestHost.Ct)).Should().BeEmpty();
        var state = await host.Orchestrator.GetPartitionAsync("L-CC1", EngineTestHost.Ct);
        state!.Lot!.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(98);
    }

    [Fact]
    public async Task CountAboveTolerance_PausesPicks_NeedsASupervisorWhoIsNotTheCounter_ThenPostsAndResumes()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC2", Screws, 100);

        await host.PublishAndWaitAsync(Counted("L-CC2", Screws, book: 100, counted: 80, "cc-2"));

        var lot = new LotId("L-CC2");
        host.Plant.Wms.ArePicksPaused(lot).Should().BeTrue();
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC2", EngineTestHost.Ct)).Should().ContainSingle().Subject;
        pending.Role.Should().Be(Role.CycleCountSupervisor);
        pending.Requester.Should().Be(Counter);

        await host.SignAsync(Answer("L-CC2", pending.RequestId, Counter, approve: true, "cc-2-self"));
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);

        await host.SignAsync(Answer("L-CC2", pending.RequestId, CountSupervisor, approve: true, "cc-2-ok"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        host.Plant.Wms.TryPick(lot, new BinId("A-01"), 1).IsSuccess.Should().BeTrue("the approval resumed picking");
        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(1);
        host.Plant.Wms.CallCount(CommandKinds.WmsPausePicks).Should().Be(1);
        host.Plant.Wms.CallCount(CommandKinds.WmsResumePicks).Should().Be(1);
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-CC2", EngineTestHost.Ct);
        audit.Should().Contain(a => a.Action == "approval-refused-invalid" && a.Reason.StartsWith("approval.self-approval", StringComparison.Ordinal));
        audit.Should().ContainSingle(a => a.Action == "e-signature:approve").Which.Actor.Should().Be(CountSupervisor.Value);
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task ControlledMaterialAboveTolerance_OpensARootCauseInvestigation()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC3", Gold, 50);

        await host.PublishAndWaitAsync(Counted("L-CC3", Gold, book: 50, counted: 45, "cc-3"));

        host.Plant.Qms.Nonconformances.Should().ContainSingle().Which.Problem.Should().Contain("Root-cause");
        host.Plant.Wms.ArePicksPaused(new LotId("L-CC3")).Should().BeTrue();
    }

    [Fact]
    public async Task RefusedAdjustment_ResumesPicksWithoutPostingAndAsksForARecount()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC4", Screws, 100);
        var lot = new LotId("L-CC4");
        await host.PublishAndWaitAsync(Counted("L-CC4", Screws, book: 100, counted: 70, "cc-4"));
        host.Plant.Wms.ArePicksPaused(lot).Should().BeTrue("the variance waits for the supervisor");
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC4", EngineTestHost.Ct)).Single();

        await host.SignAsync(Answer("L-CC4", pending.RequestId, CountSupervisor, approve: false, "cc-4-no"));

        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse("a refusal settles the variance: the book quantity stands");
        host.Plant.Wms.TryPick(lot, new BinId("A-01"), 1).IsSuccess.Should().BeTrue();
        host.Plant.Wms.CallCount(CommandKinds.WmsResumePicks).Should().Be(1);
        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(0);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        host.Plant.Notification.SentTo(Role.WarehouseLead, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Contain("recount");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-CC4", EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task RefusedAdjustmentThenRecountWithinTolerance_PostsTheRecountAndLeavesPicksRunning()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC7", Screws, 100);
        var lot = new LotId("L-CC7");
        await host.PublishAndWaitAsync(Counted("L-CC7", Screws, book: 100, counted: 70, "cc-7"));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC7", EngineTestHost.Ct)).Single();
        await host.SignAsync(Answer("L-CC7", pending.RequestId, CountSupervisor, approve: false, "cc-7-no"));

        await host.PublishAndWaitAsync(Counted("L-CC7", Screws, book: 100, counted: 99, "cc-7-recount"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(99);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        host.Plant.Wms.CallCount(CommandKinds.WmsPausePicks).Should().Be(1);
        host.Plant.Wms.CallCount(CommandKinds.WmsResumePicks).Should().Be(1);
    }

    [Fact]
    public async Task ApprovedAdjustmentNoLongerFittingTheLot_IsNotPostedButPicksResumeAndARecountIsAsked()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC9", Screws, 100);
        var lot = new LotId("L-CC9");
        await host.PublishAndWaitAsync(Counted("L-CC9", Screws, book: 100, counted: 40, "cc-9"));
        var pending = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC9", EngineTestHost.Ct)).Single();
        // While it waits, a supervisor counts the lot's other bin and posts a 50-unit shortage within their own
        // authority: 50 are left. Another bin is another count item, so the first count's approval stays valid.
        await host.PublishAndWaitAsync(Counted("L-CC9", Screws, book: 100, counted: 50, "cc-9-other-bin", Recounter, bin: "A-02"));
        (await host.Orchestrator.GetPendingApprovalsAsync("L-CC9", EngineTestHost.Ct)).Should().ContainSingle().Which.RequestId.Should().Be(pending.RequestId);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeTrue("the first count still waits for its answer");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(50);

        await host.SignAsync(Answer("L-CC9", pending.RequestId, CountSupervisor, approve: true, "cc-9-ok"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(50, "a 60-unit shortage cannot leave 50 units");
        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(1);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        host.Plant.Wms.CallCount(CommandKinds.WmsResumePicks).Should().Be(1);
        host.Plant.Notification.SentTo(Role.WarehouseLead, EngineTestHost.Site).Should().ContainSingle().Which.Request.Subject.Should().Contain("recount");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-CC9", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "count-adjustment-not-posted").Which.Actor.Should().Be(CountSupervisor.Value);
        (await host.Orchestrator.GetPartitionAsync("L-CC9", EngineTestHost.Ct))!.Lot!.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(50);
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task CountAboveToleranceWithinTheCountersAuthority_PostsWithoutPausingPicks()
    {
        await using var host = await CreateHostAsync(WithinCounterAuthority);
        SeedLot(host, "L-CC5", Screws, 100);
        var lot = new LotId("L-CC5");

        await host.PublishAndWaitAsync(Counted("L-CC5", Screws, book: 100, counted: 80, "cc-5"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(1);
        host.Plant.Wms.CallCount(CommandKinds.WmsPausePicks).Should().Be(0, "a variance the counter may post leaves nothing open to wait for");
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        host.Plant.Wms.TryPick(lot, new BinId("A-01"), 1).IsSuccess.Should().BeTrue();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-CC5", EngineTestHost.Ct)).Should().BeEmpty();
        var state = await host.Orchestrator.GetPartitionAsync("L-CC5", EngineTestHost.Ct);
        state!.Lot!.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(80);
    }

    [Fact]
    public async Task ControlledMaterialAboveToleranceWithinTheCountersAuthority_OpensARootCauseInvestigationPostsAndDoesNotPause()
    {
        await using var host = await CreateHostAsync(WithinCounterAuthority);
        SeedLot(host, "L-CC6", Gold, 50);
        var lot = new LotId("L-CC6");

        await host.PublishAndWaitAsync(Counted("L-CC6", Gold, book: 50, counted: 45, "cc-6"));

        host.Plant.Qms.Nonconformances.Should().ContainSingle().Which.Problem.Should().Contain("Root-cause");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(45);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        host.Plant.Wms.CallCount(CommandKinds.WmsPausePicks).Should().Be(0);
    }

    [Fact]
    public async Task PausePicksDecisionWithoutAnApprovalGatingTheCount_IsNotHeldAndIsAudited()
    {
        // A rule set that pauses over-tolerance counts but gates nothing: only an answer resumes picks, so none is planned.
        var rules = new DecisionEngineBuilder()
            .AddStandardRules()
            .AddSiteOverlay(EngineTestHost.Site, "no-count-approval", "1", o => o.RemoveRule(CycleCountNeedsApprovalRule.RuleName))
            .Build();
        await using var host = await CreateHostAsync(rules: rules);
        SeedLot(host, "L-CC8", Screws, 100);
        var lot = new LotId("L-CC8");

        await host.PublishAndWaitAsync(Counted("L-CC8", Screws, book: 100, counted: 80, "cc-8"));

        host.Plant.Wms.CallCount(CommandKinds.WmsPausePicks).Should().Be(0);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        (await host.Orchestrator.GetPendingApprovalsAsync("L-CC8", EngineTestHost.Ct)).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-CC8", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "pause-picks-not-held").Which.Reason.Should().Contain("CC-cc-8");
    }

    [Fact]
    public async Task RecountWithinAuthorityWhileAnApprovalWaits_SupersedesIt_PostsOnlyTheRecountAndResumesPicks()
    {
        await using var host = await CreateHostAsync();
        using var metrics = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);
        SeedLot(host, "L-CC10", Screws, 100);
        var lot = new LotId("L-CC10");
        await host.PublishAndWaitAsync(Counted("L-CC10", Screws, book: 100, counted: 40, "cc-10"));
        var superseded = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC10", EngineTestHost.Ct)).Single();
        host.Plant.Wms.ArePicksPaused(lot).Should().BeTrue();
        metrics.Sum("mo.approvals.waiting").Should().Be(1);

        await host.PublishAndWaitAsync(Counted("L-CC10", Screws, book: 100, counted: 50, "cc-10-recount", Recounter));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(50, "the recount is posted within the recounter's authority");
        (await host.Orchestrator.GetPendingApprovalsAsync("L-CC10", EngineTestHost.Ct)).Should().BeEmpty("the recount replaced the count that waited");
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse("the recount leaves nothing open");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-CC10", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "approval-withdrawn").Which.Reason.Should()
            .StartWith(ReasonCodes.CountSuperseded.Code).And.Contain("CC-cc-10-recount").And.Contain(superseded.RequestId);
        metrics.Sum("mo.approvals.waiting").Should().Be(0, "the withdrawn request no longer waits");
        metrics.Sum("mo.approvals.answered", "outcome", "withdrawn").Should().Be(1);
    }

    [Fact]
    public async Task LateApprovalOfASupersededCount_IsRefusedAndPostsNothing()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC11", Screws, 100);
        var lot = new LotId("L-CC11");
        await host.PublishAndWaitAsync(Counted("L-CC11", Screws, book: 100, counted: 40, "cc-11"));
        var superseded = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC11", EngineTestHost.Ct)).Single();
        await host.PublishAndWaitAsync(Counted("L-CC11", Screws, book: 100, counted: 50, "cc-11-recount", Recounter));

        await host.SignAsync(Answer("L-CC11", superseded.RequestId, CountSupervisor, approve: true, "cc-11-late-ok"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(50, "the superseded 60-unit shortage is never posted");
        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(1);
        (await host.Orchestrator.GetPartitionAsync("L-CC11", EngineTestHost.Ct))!.Lot!.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(50);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        host.Plant.Wms.CallCount(CommandKinds.WmsPausePicks).Should().Be(1);
        host.Plant.Wms.CallCount(CommandKinds.WmsResumePicks).Should().Be(1, "the recount resumed picks; the late answer changes nothing");
        host.Plant.Notification.SentTo(Role.WarehouseLead, EngineTestHost.Site).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-CC11", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should().StartWith(ReasonCodes.CountSuperseded.Code);
        audit.Should().NotContain(a => a.Action == "e-signature:approve" || a.Action == "approved-steps");
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task RecountAlsoOverTolerance_ReplacesThePendingApproval_PicksStayPausedUntilTheNewOneIsApproved()
    {
        await using var host = await CreateHostAsync();
        SeedLot(host, "L-CC12", Screws, 100);
        var lot = new LotId("L-CC12");
        await host.PublishAndWaitAsync(Counted("L-CC12", Screws, book: 100, counted: 70, "cc-12"));
        var first = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC12", EngineTestHost.Ct)).Single();

        await host.PublishAndWaitAsync(Counted("L-CC12", Screws, book: 100, counted: 75, "cc-12-recount"));

        var second = (await host.Orchestrator.GetPendingApprovalsAsync("L-CC12", EngineTestHost.Ct)).Should().ContainSingle().Subject;
        second.RequestId.Should().NotBe(first.RequestId);
        second.Subject.Should().Contain("CC-cc-12-recount");
        host.Plant.Wms.ArePicksPaused(lot).Should().BeTrue("the recount decides: it waits for a supervisor too");
        host.Plant.Wms.CallCount(CommandKinds.WmsResumePicks).Should().Be(0);

        await host.SignAsync(Answer("L-CC12", first.RequestId, CountSupervisor, approve: true, "cc-12-late-ok"));
        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(0);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeTrue("an answer to the superseded count resumes nothing");

        await host.SignAsync(Answer("L-CC12", second.RequestId, CountSupervisor, approve: true, "cc-12-ok"));

        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(75);
        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(1);
        host.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        host.Plant.Wms.CallCount(CommandKinds.WmsResumePicks).Should().Be(1);
    }

    [Fact]
    public async Task CountWithoutALot_IsRejectedWithCountLotRequiredAndNothingIsSent()
    {
        await using var host = await CreateHostAsync();
        var count = Counted(null, Screws, book: 100, counted: 70, "cc-13");

        await host.PublishAndWaitAsync(count);

        host.Plant.Erp.CallCount(CommandKinds.ErpPostCountAdjustment).Should().Be(0);
        host.Plant.Wms.CallCount(CommandKinds.WmsPausePicks).Should().Be(0);
        var partition = count.EffectivePartitionKey;
        (await host.Orchestrator.GetPendingApprovalsAsync(partition, EngineTestHost.Ct)).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync(partition, EngineTestHost.Ct);
        var rejected = audit.Should().ContainSingle(a => a.Action == "transition-rejected").Subject;
        rejected.Reason.Should().StartWith(ReasonCodes.CountLotRequired.Code).And.Contain("CC-cc-13");
        rejected.Explanation.Should().Contain(CycleCountNeedsApprovalRule.RuleName, "the rules' decisions are kept with the rejection");
    }

    [Fact]
    public async Task CountWithoutALotMatchingTheBook_NeedsNothingAndIsNotRejected()
    {
        await using var host = await CreateHostAsync();
        var count = Counted(null, Screws, book: 100, counted: 100, "cc-14");

        await host.PublishAndWaitAsync(count);

        var audit = await host.Orchestrator.GetAuditTrailAsync(count.EffectivePartitionKey, EngineTestHost.Ct);
        audit.Should().NotContain(a => a.Action == "transition-rejected");
        audit.Should().Contain(a => a.Action == "processed");
    }

    [Fact]
    public async Task CountNamingTheCountersSite_ForALotAtAnotherSite_IsRejected_NotPostedOnTheCountersAuthorityThere()
    {
        // The counter may post 50 units / 25 % at P1 and has no authority at P3, where the lot lies.
        var other = new SiteProfile { Id = new SiteId("P3"), HoldLocation = new BinId("HOLD-P3") };
        var host = new EngineTestHost(
            o => o.Actors = new InMemoryActorDirectory([new Actor { Id = Counter, Roles = [new RoleAssignment { Role = Role.CycleCountSupervisor, Site = EngineTestHost.Site }] }]),
            scenarioWorkflows: services => [CycleCountWorkflow.Create(new ScenarioServices(services.Rules, new SiteDirectory([EngineTestHost.SiteProfile, other]))
            {
                CountAuthorities = (actor, site) => actor == Counter && site == EngineTestHost.Site ? WithinCounterAuthority : null,
            })]);
        await using var _ = host;
        host.Plant.AddSite(other);
        host.Plant.AddMaterial(new MaterialDefinition { Id = Screws, BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.C });
        host.Plant.AddLot(
            new MaterialLot
            {
                Id = new LotId("L-CC-P3"),
                Material = Screws,
                Site = other.Id,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(100) }],
                Disposition = LotDisposition.Unrestricted,
                QualityDecision = QualityDecision.Accepted,
            },
            new BinId("A-01"));
        await host.StartAsync();

        await host.PublishAndWaitAsync(Counted("L-CC-P3", Screws, book: 100, counted: 80, "cc-p3"));

        host.Plant.Erp.QuantityIn(new LotId("L-CC-P3"), StockCategory.Unrestricted).Should().Be(100, "the counter holds no authority at the lot's site");
        (await host.Orchestrator.GetAuditTrailAsync("L-CC-P3", EngineTestHost.Ct)).Should().ContainSingle(r => r.Action == "transition-rejected")
            .Which.Reason.Should().StartWith(ReasonCodes.OutOfRange.Code).And.Contain("P3");
    }

    private static CountAuthority WithinCounterAuthority => new() { Actor = Counter, Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 50, MaxAdjustmentPercent = 25 };

    private static async Task<EngineTestHost> CreateHostAsync(CountAuthority? counterAuthority = null, DecisionEngine? rules = null)
    {
        var host = new EngineTestHost(
            o => o.Actors = new InMemoryActorDirectory([
                new Actor { Id = Counter, Roles = [new RoleAssignment { Role = Role.Operator, Site = EngineTestHost.Site }, new RoleAssignment { Role = Role.CycleCountSupervisor, Site = EngineTestHost.Site }] },
                new Actor { Id = CountSupervisor, Roles = [new RoleAssignment { Role = Role.CycleCountSupervisor, Site = EngineTestHost.Site }] },
            ]),
            scenarioWorkflows: services => [CycleCountWorkflow.Create(new ScenarioServices(rules ?? services.Rules, services.Sites)
            {
                CountAuthorities = (actor, site) => site != EngineTestHost.Site ? null
                    : actor == Counter ? counterAuthority
                    : actor == Recounter ? new CountAuthority { Actor = Recounter, Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 100, MaxAdjustmentPercent = 60 }
                    : null,
            })]);
        host.Plant.AddMaterial(new MaterialDefinition { Id = Screws, BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.C });
        host.Plant.AddMaterial(new MaterialDefinition { Id = Gold, BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.A, IsControlled = true });
        return await host.StartAsync();
    }

    private static void SeedLot(EngineTestHost host, string lot, MaterialId material, decimal quantity) =>
        host.Plant.AddLot(
            new MaterialLot
            {
                Id = new LotId(lot),
                Material = material,
                Site = EngineTestHost.Site,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(quantity) }],
                Disposition = LotDisposition.Unrestricted,
                QualityDecision = QualityDecision.Accepted,
            },
            new BinId("A-01"));

    private static EventEnvelope Counted(string? lot, MaterialId material, decimal book, decimal counted, string id, ActorId? countedBy = null, string bin = "A-01") => new()
    {
        Id = id,
        Source = "wms://plant-1",
        Type = EventTypes.CycleCountRecorded,
        Site = EngineTestHost.Site,
        Data = new CycleCountRecorded
        {
            Count = new CycleCount
            {
                Id = new CycleCountId("CC-" + id),
                Material = material,
                Lot = lot is null ? null : new LotId(lot),
                Site = EngineTestHost.Site,
                Bin = new BinId(bin),
                BookQuantity = Quantity.Each(book),
                CountedQuantity = Quantity.Each(counted),
                CountedBy = countedBy ?? Counter,
            },
        },
    };

    private static SignatureAttempt Answer(string lot, string requestId, ActorId signer, bool approve, string id)
    {
        var signature = new ElectronicSignature { Signer = signer, Role = Role.CycleCountSupervisor, Meaning = approve ? SignatureMeaning.Approve : SignatureMeaning.Reject, SignedAt = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero), Reason = approve ? "recounted, confirmed" : "count looks wrong" };
        return EngineTestHost.Attempt(lot, requestId, signature);
    }
}
