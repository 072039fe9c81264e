using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing.Tests.Harness.Scenarios;

/// <summary>Scenario 3 (cycle-count discrepancy) tested through the harness, with a counter, a supervisor and approvals.</summary>
public sealed class CycleCountScenarioTests
{
    private static readonly SiteId Site = new("P1");
    private static readonly ActorId Counter = new("cnt-carl");
    private static readonly ActorId CountSupervisor = new("ccs-cleo");
    private static readonly ActorId Recounter = new("ccs-dora");
    private static readonly MaterialId Screws = new("SCR-M3");
    private static readonly MaterialId Gold = new("AU-WIRE");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CountWithinTolerance_PostsTheAdjustmentDirectlyWithoutPausingPicks()
    {
        await using var harness = await StartAsync();
        var lot = AddLot(harness, "L-CC1", Screws, 100);

        await harness.PublishAndWaitAsync([Counted(lot, Screws, book: 100, counted: 98, "cc-1")], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int> { [CommandKinds.ErpPostCountAdjustment] = 1 });
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(98);
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        await harness.Invoking(h => h.AssertPendingApprovalAsync(lot.Value, Ct)).Should().ThrowAsync<OrchestrationAssertionException>().WithMessage("*found 0*");
        (await harness.Orchestrator.GetPartitionAsync(lot.Value, Ct))!.Lot!.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(98);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task CountAboveTolerance_PausesPicks_RefusesTheCountersOwnApproval_PostsAndResumesWhenTheSupervisorSigns()
    {
        await using var harness = await StartAsync();
        var lot = AddLot(harness, "L-CC2", Screws, 100);

        await harness.PublishAndWaitAsync([Counted(lot, Screws, book: 100, counted: 80, "cc-2")], Ct);

        harness.Plant.Wms.ArePicksPaused(lot).Should().BeTrue();
        harness.AssertNoEffect(CommandKinds.ErpPostCountAdjustment, lot);
        var pending = await harness.AssertPendingApprovalAsync(lot.Value, Ct);
        pending.Role.Should().Be(Role.CycleCountSupervisor);
        pending.Requester.Should().Be(Counter);

        await harness.ApproveAsync(lot.Value, Counter, "my own count, confirmed", Ct);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100, "the counter may not approve their own count");

        await harness.ApproveAsync(lot.Value, CountSupervisor, "recounted, confirmed", Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.WmsPausePicks] = 1,
            [CommandKinds.ErpPostCountAdjustment] = 1,
            [CommandKinds.WmsResumePicks] = 1,
        });
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        var audit = await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct);
        audit.Should().Contain(a => a.Action == "approval-refused-invalid" && a.Reason.StartsWith(ReasonCodes.SelfApproval.Code, StringComparison.Ordinal));
        audit.Should().ContainSingle(a => a.Action == "e-signature:approve").Which.Actor.Should().Be(CountSupervisor.Value);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task AdjustmentRefused_ResumesPicksWithoutPostingAndAsksTheWarehouseLeadForARecount()
    {
        await using var harness = await StartAsync();
        var lot = AddLot(harness, "L-CC3", Screws, 100);
        await harness.PublishAndWaitAsync([Counted(lot, Screws, book: 100, counted: 70, "cc-3")], Ct);
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeTrue("the variance waits for the supervisor");

        await harness.RefuseAsync(lot.Value, CountSupervisor, "count looks wrong", Ct);

        harness.AssertNoEffect(CommandKinds.ErpPostCountAdjustment, lot);
        harness.EffectCounts(lot).Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.WmsPausePicks] = 1,
            [CommandKinds.WmsResumePicks] = 1,
            [CommandKinds.NotificationSend] = 1,
        });
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeFalse("a refusal settles the variance: the book quantity stands");
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(100);
        harness.Plant.Notification.SentTo(Role.WarehouseLead, Site).Should().ContainSingle().Which.Request.Subject.Should().Contain("recount");
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task ControlledMaterialAboveTolerance_OpensARootCauseInvestigationAndWaitsForTheSupervisor()
    {
        await using var harness = await StartAsync();
        var lot = AddLot(harness, "L-CC4", Gold, 50);

        await harness.PublishAndWaitAsync([Counted(lot, Gold, book: 50, counted: 45, "cc-4")], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.WmsPausePicks] = 1,
            [CommandKinds.QmsOpenNonconformance] = 1,
        });
        harness.Plant.Qms.Nonconformances.Should().ContainSingle().Which.Problem.Should().Contain("Root-cause");
        (await harness.AssertPendingApprovalAsync(lot.Value, Ct)).Role.Should().Be(Role.CycleCountSupervisor);
    }

    [Fact]
    public async Task CountAboveToleranceWithinTheCountersAuthority_PostedWithoutApprovalAndPicksNeverPaused()
    {
        await using var harness = await StartAsync(new CountAuthority { Actor = Counter, Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 50, MaxAdjustmentPercent = 25 });
        var lot = AddLot(harness, "L-CC5", Screws, 100);

        await harness.PublishAndWaitAsync([Counted(lot, Screws, book: 100, counted: 80, "cc-5")], Ct);

        harness.AssertEffectOnce(CommandKinds.ErpPostCountAdjustment, lot);
        harness.AssertNoEffect(CommandKinds.WmsPausePicks, lot);
        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int> { [CommandKinds.ErpPostCountAdjustment] = 1 });
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80);
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeFalse("nothing is left open once the counter posts");
        harness.Plant.Wms.TryPick(lot, new BinId("A-01"), 1).IsSuccess.Should().BeTrue();
        (await harness.Orchestrator.GetPendingApprovalsAsync(lot.Value, Ct)).Should().BeEmpty();
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task CountWithinToleranceAboveTheOperatorsOwnLimit_WaitsForTheSupervisorInsteadOfPosting()
    {
        // Class C allows ±5 % / 100 units, so −50 of 1,000 is inside the band; the counter may post 10 units and 1 %.
        await using var harness = await StartAsync(new CountAuthority { Actor = Counter, Role = Role.Operator, MaxAdjustmentQuantity = 10, MaxAdjustmentPercent = 1 });
        var lot = AddLot(harness, "L-CC7", Screws, 1000);

        await harness.PublishAndWaitAsync([Counted(lot, Screws, book: 1000, counted: 950, "cc-7")], Ct);

        harness.AssertNoEffect(CommandKinds.ErpPostCountAdjustment, lot);
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(1000);
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeTrue();
        (await harness.AssertPendingApprovalAsync(lot.Value, Ct)).Role.Should().Be(Role.CycleCountSupervisor);

        await harness.ApproveAsync(lot.Value, CountSupervisor, "recounted, confirmed", Ct);

        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(950);
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task RecountWhileTheApprovalWaits_SupersedesIt_TheLateApprovalPostsNothingAndPicksEndResumed()
    {
        await using var harness = await StartAsync();
        var lot = AddLot(harness, "L-CC6", Screws, 100);
        await harness.PublishAndWaitAsync([Counted(lot, Screws, book: 100, counted: 70, "cc-6")], Ct);
        var superseded = await harness.AssertPendingApprovalAsync(lot.Value, Ct);

        // A supervisor recounts the same bin and posts within their own authority: the recount replaces the open count.
        await harness.PublishAndWaitAsync([Counted(lot, Screws, book: 100, counted: 80, "cc-6-recount", Recounter)], Ct);
        await harness.Invoking(h => h.AssertPendingApprovalAsync(lot.Value, Ct)).Should().ThrowAsync<OrchestrationAssertionException>().WithMessage("*found 0*");

        var late = await harness.Orchestrator.SignApprovalAsync(
            new ApprovalAnswer { PartitionKey = lot.Value, RequestId = superseded.RequestId, Meaning = SignatureMeaning.Approve, Reason = "confirmed the first count" },
            harness.Identity(CountSupervisor),
            Ct);
        await harness.WaitForIdleAsync(Ct);

        late.Refusal.Should().Be(ReasonCodes.CountSuperseded);

        harness.EffectCounts(lot).Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.WmsPausePicks] = 1,
            [CommandKinds.ErpPostCountAdjustment] = 1,
            [CommandKinds.WmsResumePicks] = 1,
        });
        harness.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(80, "only the recount's difference is posted");
        harness.Plant.Wms.ArePicksPaused(lot).Should().BeFalse();
        var audit = await harness.Orchestrator.GetAuditTrailAsync(lot.Value, Ct);
        audit.Should().ContainSingle(a => a.Action == "approval-withdrawn").Which.Reason.Should().StartWith(ReasonCodes.CountSuperseded.Code);
        audit.Should().ContainSingle(a => a.Action == "approval-refused-invalid").Which.Reason.Should().StartWith(ReasonCodes.CountSuperseded.Code);
        await harness.AssertAuditIntactAsync(Ct);
    }

    private static async Task<OrchestrationTestHarness> StartAsync(CountAuthority? counterAuthority = null)
    {
        var options = new OrchestrationTestHarnessOptions
        {
            Workflows = { CycleCountWorkflow.Create },
            CreateScenarioServices = rules => new ScenarioServices(rules)
            {
                CountAuthorities = (actor, site) => site != Site ? null
                    : actor == Counter ? counterAuthority
                    : actor == Recounter ? new CountAuthority { Actor = Recounter, Role = Role.CycleCountSupervisor, MaxAdjustmentQuantity = 100, MaxAdjustmentPercent = 60 }
                    : null,
            },
        };
        options.Actors.Add(new Actor { Id = Counter, Roles = [new RoleAssignment { Role = Role.Operator, Site = Site }, new RoleAssignment { Role = Role.CycleCountSupervisor, Site = Site }] });
        options.Actors.Add(new Actor { Id = CountSupervisor, Roles = [new RoleAssignment { Role = Role.CycleCountSupervisor, Site = Site }] });
        var harness = new OrchestrationTestHarness(options);
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Screws, BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.C });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Gold, BaseUnit = UnitOfMeasure.Each, AbcClass = AbcClass.A, IsControlled = true });
        return await harness.StartAsync(Ct);
    }

    private static LotId AddLot(OrchestrationTestHarness harness, string id, MaterialId material, decimal quantity)
    {
        var lot = new LotId(id);
        harness.Plant.AddLot(
            new MaterialLot
            {
                Id = lot,
                Material = material,
                Site = Site,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(quantity) }],
                Disposition = LotDisposition.Unrestricted,
                QualityDecision = QualityDecision.Accepted,
            },
            new BinId("A-01"));
        return lot;
    }

    private static EventEnvelope Counted(LotId lot, MaterialId material, decimal book, decimal counted, string id, ActorId? countedBy = null) => new()
    {
        Id = id,
        Source = "wms://plant-1",
        Type = EventTypes.CycleCountRecorded,
        Site = Site,
        Data = new CycleCountRecorded
        {
            Count = new CycleCount
            {
                Id = new CycleCountId("CC-" + id),
                Material = material,
                Lot = lot,
                Site = Site,
                Bin = new BinId("A-01"),
                BookQuantity = Quantity.Each(book),
                CountedQuantity = Quantity.Each(counted),
                CountedBy = countedBy ?? Counter,
            },
        },
    };
}
